// What is wrong with a manifest, named by where it is: a path in the manifest as its author sees it
// (stream names beside their index), so an agent can find the spot and decide what to do next.

import { ToolError } from "../../core/errors.ts";

/**
 * custom: Python code (components.py) the native runner cannot run; unsupported: a CDK component or
 * property the native runner does not implement; invalid: the manifest breaks the CDK's schema;
 * reference: a `$ref`/`#/` reference that cannot be resolved; yaml: the text is not valid YAML.
 */
export type ProblemKind = "custom" | "unsupported" | "invalid" | "reference" | "yaml";

export interface ManifestProblem {
  /** Where, e.g. `streams[2] (users).retriever.paginator`; "" for the whole manifest. */
  path: string;
  /** The component type involved: the refused type, or the type of the component holding the fault. */
  type: string;
  /** What is wrong, without the path. */
  message: string;
  kind: ProblemKind;
}

/** How many problems a ManifestError's message lists before it only counts the rest. */
const LISTED = 5;

const NATIVE_LIMIT_HINT =
  "The native runner cannot run this manifest; run the connector with override_execution_mode 'python' or 'docker' (the Python CDK) instead.";
const FIX_HINT =
  "Fix the manifest at the path named; the Airbyte CDK's declarative_component_schema.yaml describes each component.";

/** A manifest that cannot be loaded: every problem found, the first few in the message. */
export class ManifestError extends ToolError {
  /** The path of the first problem. */
  readonly path: string;
  readonly problems: readonly ManifestProblem[];
  readonly origin: string;

  constructor(origin: string, problems: readonly ManifestProblem[]) {
    const needsPython = problems.some((p) => p.kind === "custom" || p.kind === "unsupported");
    super(manifestErrorText(origin, problems), { hint: needsPython ? NATIVE_LIMIT_HINT : FIX_HINT });
    this.name = "ManifestError";
    this.origin = origin;
    this.problems = problems;
    this.path = problems[0]?.path ?? "";
  }
}

function manifestErrorText(origin: string, problems: readonly ManifestProblem[]): string {
  const line = (p: ManifestProblem) => (p.path ? `${p.path}: ${p.message}` : p.message);
  const first = problems[0];
  if (!first) return `${origin}: the manifest cannot be loaded`;
  if (problems.length === 1) return `${origin}: ${line(first)}`;
  const listed = problems.slice(0, LISTED).map((p) => `  - ${line(p)}`);
  const rest = problems.length - LISTED;
  if (rest > 0) listed.push(`  … and ${rest} more problem${rest === 1 ? "" : "s"}`);
  return `${origin}: ${problems.length} problems:\n${listed.join("\n")}`;
}

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Renders a path the way a reader finds it in the YAML: `streams[2] (users).retriever.requester`.
 * Objects that are streams (a DeclarativeStream, or any entry of the top-level `streams` list) get
 * their name, read from `name` or `$parameters.name`, after their segment.
 */
export function formatPath(root: unknown, segments: readonly PathSegment[]): string {
  let text = "";
  let node: unknown = root;
  for (const [i, segment] of segments.entries()) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
    node = child(node, segment);
    const name = streamName(node, i === 1 && segments[0] === "streams");
    if (name !== undefined) text += ` (${name})`;
  }
  return text;
}

function child(node: unknown, segment: PathSegment): unknown {
  if (Array.isArray(node)) return typeof segment === "number" ? node[segment] : undefined;
  if (isPlainObject(node) && Object.hasOwn(node, String(segment))) return node[String(segment)];
  return undefined;
}

function streamName(node: unknown, inStreamList: boolean): string | undefined {
  if (!isPlainObject(node)) return undefined;
  if (!inStreamList && node.type !== "DeclarativeStream") return undefined;
  const parameters = node.$parameters;
  const name = node.name ?? (isPlainObject(parameters) ? parameters.name : undefined);
  return typeof name === "string" && name !== "" ? name : undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The JSON kind of a value, as error messages name it. */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "object") return "object";
  return typeof value;
}
