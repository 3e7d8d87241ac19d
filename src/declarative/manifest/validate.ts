// Validation of a resolved, typed manifest against the supported components' zod schemas: every
// problem, each with its path as the author sees it and a message saying what to change.

import type { z } from "zod";
import { COMPONENTS } from "./components.ts";
import {
  formatPath,
  isPlainObject,
  kindOf,
  type ManifestProblem,
  type PathSegment,
  type ProblemKind,
} from "./errors.ts";

type Issue = z.core.$ZodIssue;

/** All problems of a resolved and typed manifest (after references and type propagation). */
export function manifestProblems(manifest: Record<string, unknown>): ManifestProblem[] {
  const found: Raw[] = [];
  // jitless: a manifest is checked once per run, so compiling a fast path for each object schema
  // (several ms on a cold start) costs more than it saves.
  const result = COMPONENTS.DeclarativeSource.safeParse(manifest, { jitless: true });
  if (!result.success) collect(result.error.issues, [], manifest, found);
  const streams = manifest.streams;
  const dynamic = manifest.dynamic_streams;
  const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  if (count(streams) + count(dynamic) === 0 && (streams === undefined || Array.isArray(streams)))
    found.push({ path: ["streams"], message: "a manifest needs at least one stream", kind: "invalid" });
  const seen = new Set<string>();
  const problems: ManifestProblem[] = [];
  for (const raw of found) {
    const problem: ManifestProblem = {
      path: formatPath(manifest, raw.path),
      type: raw.type ?? enclosingType(manifest, raw.path),
      message: raw.message,
      kind: raw.kind,
    };
    const key = `${problem.path}\n${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

interface Raw {
  path: PathSegment[];
  message: string;
  kind: ProblemKind;
  type?: string;
}

function collect(issues: readonly Issue[], base: PathSegment[], root: unknown, out: Raw[]): void {
  for (const issue of issues) {
    const path = [...base, ...(issue.path as PathSegment[])];
    if (issue.code === "invalid_union" && (issue as { note?: string }).note === "No matching discriminator") {
      if (path.at(-1) === "type") path.pop();
      out.push(slotProblem(path, issue.message, root));
    } else if (issue.code === "invalid_union") {
      const branch = bestBranch(issue.errors);
      if (branch) collect(branch, path, root, out);
      else out.push(invalid(path, `${expectation(issue)}, got ${kindOf(valueAt(root, path))}`));
    } else if (issue.code === "custom") {
      out.push(slotProblem(path, issue.message, root));
    } else if (issue.code === "invalid_type") {
      const value = valueAt(root, path);
      if (value === undefined) out.push(invalid(path, "required property is missing"));
      else if (isDefaultMessage(issue.message))
        out.push(invalid(path, `expected ${describeType(issue.expected)}, got ${kindOf(value)}`));
      else out.push(slotProblem(path, issue.message, root));
    } else if (issue.code === "invalid_value") {
      const values = issue.values.map((v) => JSON.stringify(v)).join(", ");
      const got = JSON.stringify(valueAt(root, path)) ?? "nothing";
      out.push(invalid(path, `expected ${issue.values.length > 1 ? "one of " : ""}${values}, got ${got}`));
    } else if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push(invalid([...path, key], "unknown property (not allowed here)"));
    } else {
      out.push(invalid(path, issue.message));
    }
  }
}

const invalid = (path: PathSegment[], message: string): Raw => ({ path, message, kind: "invalid" });

/** A problem a slot (or a refused property) reported: its first words say which kind it is. */
function slotProblem(path: PathSegment[], message: string, root: unknown): Raw {
  const value = valueAt(root, path);
  const type = isPlainObject(value) && typeof value.type === "string" ? value.type : undefined;
  if (message.startsWith("custom component"))
    return { path, message, kind: "custom", ...(type ? { type } : {}) };
  if (message.startsWith("unsupported component type"))
    return { path, message, kind: "unsupported", ...(type ? { type } : {}) };
  if (message.startsWith("unsupported property")) {
    const owner = enclosingType(root, path.slice(0, -1));
    return { path, message, kind: "unsupported", type: `${owner}.${String(path.at(-1))}` };
  }
  return { path, message, kind: "invalid" };
}

/**
 * The union branch that got furthest: branches that failed only because the value has another
 * JSON type are skipped; of the rest, the one whose issues reach deepest.
 */
function bestBranch(branches: readonly (readonly Issue[])[]): readonly Issue[] | undefined {
  let best: readonly Issue[] | undefined;
  let bestDepth = -1;
  for (const branch of branches) {
    const typeMismatchOnly = branch.every((i) => i.path.length === 0 && i.code === "invalid_type");
    if (typeMismatchOnly) continue;
    const depth = Math.max(...branch.map((i) => i.path.length + (i.code === "invalid_union" ? 0.5 : 0)));
    if (depth > bestDepth) {
      best = branch;
      bestDepth = depth;
    }
  }
  return best;
}

function expectation(issue: Issue & { code: "invalid_union" }): string {
  if (!isDefaultMessage(issue.message)) return issue.message;
  const expected = issue.errors.flatMap((branch) =>
    branch
      .filter((i) => i.code === "invalid_type")
      .map((i) => describeType((i as { expected: string }).expected)),
  );
  return `expected ${[...new Set(expected)].join(" or ")}`;
}

function isDefaultMessage(message: string): boolean {
  return message.startsWith("Invalid input") || message.startsWith("Invalid option");
}

function describeType(expected: string): string {
  switch (expected) {
    case "string":
      return "a string";
    case "int":
      return "an integer";
    case "number":
      return "a number";
    case "boolean":
      return "true or false";
    case "array":
      return "a list";
    case "object":
    case "record":
      return "an object";
    default:
      return expected;
  }
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === "number") node = node[segment];
    else if (isPlainObject(node) && Object.hasOwn(node, String(segment))) node = node[String(segment)];
    else return undefined;
  }
  return node;
}

/** The type of the nearest component at or above a path. */
function enclosingType(root: unknown, path: readonly PathSegment[]): string {
  let type = "";
  let node = root;
  if (isPlainObject(node) && typeof node.type === "string") type = node.type;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === "number") node = node[segment];
    else if (isPlainObject(node) && Object.hasOwn(node, String(segment))) node = node[String(segment)];
    else break;
    if (isPlainObject(node) && typeof node.type === "string") type = node.type;
  }
  return type;
}
