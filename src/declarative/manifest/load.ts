// Loading a declarative manifest as the CDK's ManifestDeclarativeSource does before it builds
// anything: YAML, `type: DeclarativeSource` by default, references, default types and
// `$parameters`, then validation. Whatever the native runner cannot run fails here, with every
// problem and its path, never halfway through a read.

import { LineCounter, parseDocument } from "yaml";
import {
  formatPath,
  isPlainObject,
  kindOf,
  ManifestError,
  type ManifestProblem,
  type PathSegment,
} from "./errors.ts";
import { resolveReferences } from "./references.ts";
import { propagateTypesAndParameters } from "./transform.ts";
import { manifestProblems } from "./validate.ts";

export { ManifestError, type ManifestProblem } from "./errors.ts";
export { manifestProblems } from "./validate.ts";

/** A fully resolved manifest: references replaced, types filled in, `$parameters` propagated. */
export type Manifest = Record<string, unknown>;

/**
 * Parses, resolves and validates a manifest. `origin` names it in errors (a file path or a
 * connector name). Throws ManifestError listing what is wrong.
 */
export function loadManifest(text: string, origin: string): Manifest {
  const manifest = resolveManifest(text, origin);
  const problems = manifestProblems(manifest);
  if (problems.length > 0) throw new ManifestError(origin, problems);
  return manifest;
}

/**
 * The manifest after YAML, references, types and `$parameters`, not yet validated (for tools
 * that want every problem of a manifest: pass the result to manifestProblems).
 */
export function resolveManifest(text: string, origin: string): Manifest {
  const raw = parseYaml(text, origin);
  if (!isPlainObject(raw))
    throw new ManifestError(origin, [
      problem("", `a manifest is a YAML mapping (an object) at the top level, got ${kindOf(raw)}`, "invalid"),
    ]);
  // The CDK does not require `type` at the top level.
  const typed = Object.hasOwn(raw, "type") ? raw : { ...raw, type: "DeclarativeSource" };
  const { resolved, problems } = resolveReferences(typed);
  if (problems.length > 0)
    throw new ManifestError(
      origin,
      problems.map((p) => problem(formatPath(typed, p.path), p.message, "reference")),
    );
  const badParameters = misplacedParameters(resolved, []).map((path) =>
    problem(
      formatPath(resolved, path),
      `$parameters must be an object, got ${kindOf(valueAt(resolved, path))}`,
      "invalid",
    ),
  );
  if (badParameters.length > 0) throw new ManifestError(origin, badParameters);
  return propagateTypesAndParameters("", resolved, {});
}

/** Paths of `$parameters` that are not objects (the CDK fails on them with a TypeError). */
function misplacedParameters(node: unknown, path: PathSegment[]): PathSegment[][] {
  if (Array.isArray(node)) return node.flatMap((v, i) => misplacedParameters(v, [...path, i]));
  if (!isPlainObject(node)) return [];
  return Object.entries(node).flatMap(([k, v]) =>
    k === "$parameters" && !isPlainObject(v) ? [[...path, k]] : misplacedParameters(v, [...path, k]),
  );
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) node = (node as Record<string | number, unknown>)[segment];
  return node;
}

/** The manifest's `version` (the CDK version it was written for); any string is accepted. */
export function manifestVersion(manifest: Manifest): string {
  return typeof manifest.version === "string" ? manifest.version : "";
}

function parseYaml(text: string, origin: string): unknown {
  // Bun's native parser first: on all 338 manifests of the fixtures it gives the same objects as
  // the \`yaml\` package, about 12 times faster (scripts/bench/manifest.ts pays this on every run).
  // Whatever it refuses (a duplicate key, say) goes to \`yaml\`, configured like PyYAML, which
  // also gives the line and column of a real syntax error.
  try {
    return Bun.YAML.parse(text);
  } catch {
    return parseWithYamlPackage(text, origin);
  }
}

function parseWithYamlPackage(text: string, origin: string): unknown {
  // PyYAML (the CDK's parser) lets a later duplicate key win and understands `<<` merge keys.
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { uniqueKeys: false, merge: true, prettyErrors: false, lineCounter });
  const error = document.errors[0];
  if (error) {
    const at = lineCounter.linePos(error.pos[0]);
    const where = ` at line ${at.line}, column ${at.col}`;
    throw new ManifestError(origin, [problem("", `YAML syntax error${where}: ${error.message}`, "yaml")]);
  }
  try {
    return document.toJS({ maxAliasCount: 10_000 });
  } catch (cause) {
    throw new ManifestError(origin, [
      problem("", `YAML cannot be read: ${(cause as Error).message}`, "yaml"),
    ]);
  }
}

function problem(path: string, message: string, kind: ManifestProblem["kind"]): ManifestProblem {
  return { path, type: "", message, kind };
}
