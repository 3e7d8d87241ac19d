// The zod schemas against the CDK's declarative_component_schema.yaml (read from the shared
// fixtures, never shipped): same properties, same required lists, the same component types at
// each position (split into supported and refused), and the same verdict on sample values.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { z } from "zod";
import {
  CDK_COMPONENT_TYPES,
  COMPONENT_TYPE_VALUE,
  COMPONENTS,
  describeComponent,
  SUPPORTED_COMPONENTS,
  type SupportedComponent,
} from "../../../src/declarative/manifest/components.ts";
import { isPlainObject } from "../../../src/declarative/manifest/errors.ts";
import { DEFAULT_MODEL_TYPES } from "../../../src/declarative/manifest/transform.ts";
import { FIXTURES, skipWithoutFixtures } from "../../helpers/fixtures.ts";

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema documents are untyped
type Json = Record<string, any>;

const skip = skipWithoutFixtures("the component schema cross-check");
const cdk: Json = skip
  ? {}
  : parse(readFileSync(join(FIXTURES, "declarative_component_schema.yaml"), "utf8"));

/**
 * The definition of a supported component; DeclarativeSource is the schema's root, and
 * ConfigNormalizationRules is written inline in Spec.
 */
const definitionOf = (name: SupportedComponent): Json =>
  name === "DeclarativeSource"
    ? cdk
    : name === "ConfigNormalizationRules"
      ? cdk.definitions.Spec.properties.config_normalization_rules
      : cdk.definitions[name];
const refName = (ref: string) => ref.replace("#/definitions/", "");
/** A definition is a component if it has a `type` enum (StreamGroup gets its type from the transformer). */
const componentType = (name: string): string | undefined =>
  cdk.definitions[name]?.properties?.type?.enum?.[0] ?? (name === "StreamGroup" ? name : undefined);

/** The component types the CDK allows in a property, through anyOf, items and additionalProperties. */
function cdkComponentTypes(schema: Json): Set<string> {
  const types = new Set<string>();
  const visit = (s: Json | undefined): void => {
    if (!s || typeof s !== "object") return;
    if (s.$ref) {
      const type = componentType(refName(s.$ref));
      if (type) types.add(type);
      return;
    }
    if (s.type === "object" && s.properties?.type?.enum) {
      types.add(s.properties.type.enum[0]); // an inline component, e.g. FileUploader
      return;
    }
    for (const option of s.anyOf ?? []) visit(option);
    visit(s.items);
    if (typeof s.additionalProperties === "object") visit(s.additionalProperties);
  };
  visit(schema);
  return types;
}

/** A small JSON Schema check, enough for the value schemas of component properties. */
function cdkAccepts(s: Json, value: unknown): boolean {
  if (s.$ref) {
    const name = refName(s.$ref);
    if (componentType(name)) return isPlainObject(value) && value.type === componentType(name);
    return cdkAccepts(cdk.definitions[name], value);
  }
  // A schema with properties but no type (refresh_token_updater) is a pydantic model in the CDK:
  // only an object fits, though JSON Schema alone would let any other value through.
  if (s.properties && s.type === undefined && !isPlainObject(value)) return false;
  if (s.anyOf && !s.anyOf.some((option: Json) => cdkAccepts(option, value))) return false;
  if (s.enum && !s.enum.includes(value)) return false;
  if (s.type !== undefined) {
    const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((t) => isOfType(t, value))) return false;
  }
  if (Array.isArray(value)) {
    if (s.items && !value.every((item) => cdkAccepts(s.items, item))) return false;
    if (s.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) return false;
  }
  if (isPlainObject(value)) {
    if (
      typeof s.additionalProperties === "object" &&
      !Object.values(value).every((v) => cdkAccepts(s.additionalProperties, v))
    )
      return false;
    if (s.required && !s.required.every((k: string) => k in value)) return false;
  }
  if (typeof value === "number" && s.minimum !== undefined && value < s.minimum) return false;
  return true;
}

function isOfType(type: string, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return isPlainObject(value);
    case "null":
      return value === null;
    default:
      throw new Error(`unexpected JSON Schema type ${type}`);
  }
}

/** Properties the CDK's schema has widened since the fixture's version, and what it now also takes. */
const WIDER_THAN_FIXTURE: Record<string, (value: unknown) => boolean> = {
  // A template that renders a JSON object (the Connector Builder writes JSON bodies so).
  "RequestBodyJsonObject.value": (value) => typeof value === "string",
};

const SAMPLES: unknown[] = [
  12,
  1.5,
  -3,
  "x",
  "",
  true,
  false,
  null,
  [],
  ["x"],
  [1],
  [["x"]],
  [1, 1],
  {},
  { a: "x" },
  { a: 1 },
];

describe.skipIf(skip)("zod schemas against declarative_component_schema.yaml", () => {
  test("CDK_COMPONENT_TYPES lists every component definition of the schema", () => {
    const withType = Object.entries<Json>(cdk.definitions)
      .filter(([, d]) => d?.properties?.type?.enum)
      .map(([name]) => name);
    expect([...CDK_COMPONENT_TYPES].sort()).toEqual(withType.sort());
  });

  test("every supported component is a component of the schema, with the same type value", () => {
    for (const name of SUPPORTED_COMPONENTS) {
      const definition = definitionOf(name);
      expect(definition, name).toBeDefined();
      // StreamGroup has no `type` property: the CDK's transformer gives it its type.
      if (name === "StreamGroup") continue;
      expect(definition.properties.type.enum, name).toEqual([COMPONENT_TYPE_VALUE[name] ?? name]);
    }
  });

  for (const name of SUPPORTED_COMPONENTS) {
    describe(name, () => {
      const ours = describeComponent(name);
      const definition = () => definitionOf(name);

      test("names exactly the schema's properties and requires the same ones", () => {
        const typed = name === "StreamGroup" ? ["type"] : [];
        expect([...ours.properties].sort()).toEqual(
          [...Object.keys(definition().properties), ...typed].sort(),
        );
        expect([...ours.required].sort()).toEqual([...(definition().required ?? [])].sort());
      });

      test("allows the schema's component types at each position, supported or refused", () => {
        for (const [property, schema] of Object.entries<Json>(definition().properties)) {
          if (property === "type") continue;
          const cdkTypes = [...cdkComponentTypes(schema)].sort();
          const slots = ours.slots[property] ?? [];
          const ourTypes = [
            ...new Set(
              slots.flatMap((s) => [
                ...s.supported.map((t) => COMPONENT_TYPE_VALUE[t] ?? t),
                ...s.unsupported,
              ]),
            ),
          ].sort();
          expect(ourTypes, `${name}.${property}`).toEqual(cdkTypes);
          for (const slot of slots)
            expect(
              slot.supported.filter((t) => slot.unsupported.includes(t)),
              `${name}.${property}`,
            ).toEqual([]);
        }
      });

      test("gives the schema's verdict on sample values (refused properties take only empty ones)", () => {
        const shape = COMPONENTS[name].shape;
        for (const [property, schema] of Object.entries<Json>(definition().properties)) {
          if (property === "type") continue;
          const zodSchema = shape[property] as z.ZodType | undefined;
          if (!zodSchema) throw new Error(`${name}.${property} is missing`);
          for (const value of SAMPLES) {
            const accepted = zodSchema.safeParse(value).success;
            if (ours.refused[property]) {
              if (accepted) expect([null, false, "", 0, [], {}] as unknown[]).toContainEqual(value as never);
            } else {
              // Where the CDK's current schema takes more than this fixture's, so do we.
              const wider = WIDER_THAN_FIXTURE[`${name}.${property}`]?.(value) ?? false;
              expect(accepted, `${name}.${property} = ${JSON.stringify(value)}`).toBe(
                cdkAccepts(schema, value) || wider,
              );
            }
          }
        }
      });
    });
  }

  test("every default type the transformer fills in at a supported position is supported there", () => {
    for (const [key, type] of Object.entries(DEFAULT_MODEL_TYPES)) {
      const [owner, property] = key.split(".") as [string, string];
      if (!(SUPPORTED_COMPONENTS as readonly string[]).includes(owner)) continue;
      const slots = describeComponent(owner as SupportedComponent).slots[property];
      if (!slots) continue; // e.g. CursorPagination.decoder: not a property of the schema
      const allowed = slots.flatMap((s) => [...s.supported, ...s.unsupported]);
      // The CDK's own default for a dynamic stream's resolver names no component of its schema
      // ("ConfigComponentResolver"): a resolver without its type fails there as here.
      if (!CDK_COMPONENT_TYPES.includes(type)) continue;
      expect(allowed, key).toContain(type);
    }
  });
});
