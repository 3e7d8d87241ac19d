// How the real API treats secrets in connector configurations: fields the spec marks `airbyte_secret` are
// answered as "**********", and an update that sends the mask back keeps the stored value. Also how an
// update combines with the stored configuration: PUT replaces it, PATCH merges into it.

import type { Json } from "./definitions.ts";

export const SECRET_MASK = "**********";

const asObj = (v: unknown): Json | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

/** The property schemas of `spec` at this level, every oneOf/anyOf branch merged (a secret in any branch counts). */
function propertiesOf(spec: Json): Map<string, Json[]> {
  const out = new Map<string, Json[]>();
  const branches = [
    spec,
    ...["oneOf", "anyOf", "allOf"].flatMap((k) => (Array.isArray(spec[k]) ? spec[k] : [])),
  ];
  for (const b of branches) {
    const props = asObj(asObj(b)?.properties);
    if (!props) continue;
    for (const [k, v] of Object.entries(props)) {
      const s = asObj(v);
      if (s) out.set(k, [...(out.get(k) ?? []), s]);
    }
  }
  return out;
}

/** A copy of `config` with every value the spec marks secret replaced by the mask. */
export function maskSecrets(config: Json, spec: Json | undefined): Json {
  if (!spec) return structuredClone(config);
  const walk = (value: unknown, schemas: Json[]): unknown => {
    if (schemas.some((s) => s.airbyte_secret === true)) return value === undefined ? value : SECRET_MASK;
    if (Array.isArray(value)) {
      const items = schemas.flatMap((s) => (asObj(s.items) ? [s.items as Json] : []));
      return value.map((v) => walk(v, items));
    }
    const obj = asObj(value);
    if (!obj) return value;
    const props = new Map<string, Json[]>();
    for (const s of schemas)
      for (const [k, v] of propertiesOf(s)) props.set(k, [...(props.get(k) ?? []), ...v]);
    const out: Json = {};
    for (const [k, v] of Object.entries(obj)) out[k] = walk(v, props.get(k) ?? []);
    return out;
  };
  return walk(config, [spec]) as Json;
}

/** `value` with every masked value replaced by the stored one at the same path. */
function keepMasked(value: unknown, old: unknown): unknown {
  if (value === SECRET_MASK) return old === undefined ? value : old;
  if (Array.isArray(value))
    return value.map((v, i) => keepMasked(v, Array.isArray(old) ? old[i] : undefined));
  const obj = asObj(value);
  if (!obj) return value;
  const prev = asObj(old) ?? {};
  const out: Json = {};
  for (const [k, v] of Object.entries(obj)) out[k] = keepMasked(v, prev[k]);
  return out;
}

/** PUT: `incoming` replaces the configuration, every masked value replaced by the stored one. */
export function keepMaskedSecrets(incoming: Json, stored: Json): Json {
  return keepMasked(incoming, stored) as Json;
}

/**
 * PATCH: `incoming` merged into `stored` as the platform does (ConfigurationUpdate.partialSource and
 * partialDestination → SecretsHelpers.mergeNodesExceptForSecrets): each field sent replaces the
 * stored one, except that an object stored there is merged field by field (and is left as it is when
 * what was sent is not an object, since the platform then finds no field to merge). Fields not sent
 * are kept; lists and other values are replaced whole; a masked value sent back keeps the secret.
 */
export function mergeConfiguration(stored: Json, incoming: Json): Json {
  const out = structuredClone(stored);
  for (const [k, v] of Object.entries(incoming)) {
    const old = asObj(out[k]);
    if (old) {
      const sent = asObj(v);
      if (sent) out[k] = mergeConfiguration(old, sent);
    } else {
      out[k] = keepMasked(v, out[k]);
    }
  }
  return out;
}

/** Top-level required fields of the spec the configuration lacks. */
export function missingRequired(config: Json, spec: Json | undefined): string[] {
  const required = spec && Array.isArray(spec.required) ? spec.required : [];
  return required.filter((r): r is string => typeof r === "string" && !(r in config));
}
