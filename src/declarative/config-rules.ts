// Spec.config_normalization_rules, as the CDK's Spec component applies them before a run: the
// config migrations (reported as a CONTROL message when they change the config, so the platform
// saves it), then the transformations (for this run only), then the validations the result must
// pass. Each step works on a copy: the caller's config is never changed.

import { validateConfig } from "../connectors/validate.ts";
import { copyJson } from "../core/json.ts";
import { DeclarativeError } from "./errors.ts";
import { evaluateMapping } from "./interpolation/index.ts";
import { addedFieldsOf, addedValue } from "./records.ts";
import { evalString, evaluate, evaluateBoolean, renderTemplate } from "./template.ts";
import { asArray, dpathDelete, dpathGet, dpathSet, dpathValues, isObj, type Obj } from "./values.ts";

type ConfigTransformation = (config: Obj) => void;
type Validator = (config: Obj) => string | null;

export interface ConfigRules {
  /** The config with the migrations applied, or null when they change nothing. */
  migrate(config: Obj): Obj | null;
  /** The config with the transformations applied. */
  transform(config: Obj): Obj;
  /** The first validation's failure, or null. */
  validate(config: Obj): string | null;
}

export function configRules(node: unknown): ConfigRules | null {
  if (!isObj(node)) return null;
  const where = "spec.config_normalization_rules";
  const migrations = asArray<Obj>(node.config_migrations).flatMap((m, i) =>
    asArray<Obj>(m.transformations).map((t, j) =>
      transformation(t, `${where}.config_migrations[${i}].transformations[${j}]`),
    ),
  );
  const transformations = asArray<Obj>(node.transformations).map((t, i) =>
    transformation(t, `${where}.transformations[${i}]`),
  );
  const validators = asArray<Obj>(node.validations).map((v, i) => validator(v, `${where}.validations[${i}]`));
  const apply = (config: Obj, steps: ConfigTransformation[]): Obj => {
    const copy = copyJson(config);
    for (const step of steps) step(copy);
    return copy;
  };
  return {
    migrate(config) {
      if (migrations.length === 0) return null;
      const migrated = apply(config, migrations);
      // The CDK compares a shallow copy, so a migration of a nested value goes unreported there;
      // here any change is reported, or the platform would keep the unmigrated config.
      return JSON.stringify(migrated) === JSON.stringify(config) ? null : migrated;
    },
    transform: (config) => (transformations.length === 0 ? config : apply(config, transformations)),
    validate(config) {
      for (const v of validators) {
        const problem = v(config);
        if (problem !== null) return problem;
      }
      return null;
    },
  };
}

function transformation(t: Obj, where: string): ConfigTransformation {
  const condition = typeof t.condition === "string" && t.condition !== "" ? t.condition : null;
  switch (t.type) {
    case "ConfigAddFields": {
      const fields = addedFieldsOf(t.fields);
      // ConfigAddFields.transform: each value from the config; the condition sees it as `value`
      // (and its `path`); dpath.new makes the parents and replaces what was there.
      return (config) => {
        for (const f of fields) {
          if (f.path.length === 0) throw new DeclarativeError(`${where}: Expected a non-zero-length path.`);
          const value = addedValue(f, { config });
          if (condition !== null && !evaluateBoolean(condition, { config, value, path: f.path })) continue;
          dpathSet(config, f.path, value);
        }
      };
    }
    case "ConfigRemoveFields": {
      const pointers = asArray<unknown[]>(t.field_pointers).map((p) => asArray(p).map(String));
      return (config) => {
        if (condition !== null && !evaluateBoolean(condition, { config })) return;
        for (const p of pointers) dpathDelete(config, p);
      };
    }
    case "ConfigRemapField": {
      const fieldPath = asArray(t.field_path);
      const map = t.map;
      // ConfigRemapField.transform: the value at field_path, if it is one of the map's keys,
      // becomes that key's value; a missing or non-mapping step on the way changes nothing.
      return (config) => {
        const path = fieldPath.map((p) => evalString(p, { config }));
        if (path.length === 0) throw new DeclarativeError(`${where}: field_path cannot be empty.`);
        let current: Obj = config;
        for (const k of path.slice(0, -1)) {
          const next = current[k];
          if (!isObj(next)) return;
          current = next;
        }
        const mapping =
          typeof map === "string" ? evaluate(map, { config }) : evaluateMapping(map as Obj, { config });
        const field = path[path.length - 1] as string;
        const value = current[field];
        if (isObj(mapping) && typeof value === "string" && Object.hasOwn(mapping, value))
          current[field] = mapping[value];
      };
    }
    default:
      throw new DeclarativeError(
        `${where}: component type '${String(t.type)}' is not supported by the native runner.`,
      );
  }
}

function validator(v: Obj, where: string): Validator {
  const strategy = isObj(v.validation_strategy) ? v.validation_strategy : {};
  if (strategy.type !== "ValidateAdheresToSchema")
    throw new DeclarativeError(
      `${where}.validation_strategy: component type '${String(strategy.type)}' is not supported by the native runner.`,
    );
  const base = strategy.base_schema;
  // A schema written as JSON text is read once here, unless it holds a template (then per run).
  const fixedSchema = typeof base === "string" && !base.includes("{{") ? schemaText(base, where) : base;
  const adheres = (value: unknown, config: Obj, what: string): string | null => {
    const schema =
      typeof fixedSchema === "string"
        ? schemaText(renderTemplate(fixedSchema, { config }), where)
        : fixedSchema;
    // ValidateAdheresToSchema reads a string as JSON where it is JSON, else as the string it is.
    let data = value;
    if (typeof data === "string") {
      try {
        data = JSON.parse(data);
      } catch {}
    }
    const problems = validateConfig(schema as Obj, data as Obj);
    if (problems.length === 0) return null;
    // Paths and expectations only: a config value may be a secret.
    const list = problems.map((p) => (p.field === "(the config)" ? p.problem : `${p.field}: ${p.problem}`));
    return `JSON schema validation error: the value at ${what}: ${list.join("; ")}`;
  };
  if (v.type === "DpathValidator") {
    const fieldPath = asArray(v.field_path);
    // DpathValidator.validate: the path is interpolated without the config; a missing value passes.
    return (config) => {
      const path = fieldPath.map((p) => evalString(p, { config: {} }));
      if (path.length === 0) return `${where}: Field path is empty`;
      const what = path.join(".");
      const values = path.includes("*") ? dpathValues(config, path) : [dpathGet(config, path)];
      for (const value of values) {
        if (value === undefined) continue;
        const problem = adheres(value, config, what);
        if (problem !== null) return problem;
      }
      return null;
    };
  }
  if (v.type === "PredicateValidator") {
    // PredicateValidator: the value, its strings interpolated against the config.
    return (config) => adheres(interpolateStrings(v.value, config), config, "the predicate's value");
  }
  throw new DeclarativeError(
    `${where}: component type '${String(v.type)}' is not supported by the native runner.`,
  );
}

function schemaText(text: string, where: string): Obj {
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch {}
  if (!isObj(schema))
    throw new DeclarativeError(
      `${where}: the base_schema is not a JSON schema (an object, or its JSON text).`,
    );
  return schema;
}

function interpolateStrings(value: unknown, config: Obj): unknown {
  if (typeof value === "string") return evaluate(value, { config });
  if (Array.isArray(value)) return value.map((x) => interpolateStrings(x, config));
  if (isObj(value)) {
    const out: Obj = {};
    for (const k in value) out[k] = interpolateStrings(value[k], config);
    return out;
  }
  return value;
}
