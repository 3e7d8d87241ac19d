// Type inference and `$parameters` propagation, a line-by-line port of the CDK's
// ManifestComponentTransformer.propagate_types_and_parameters, quirks included, because the
// runtime must see the same component tree the Python CDK builds:
// - a dict without `type` gets the default type of its parent field (DEFAULT_MODEL_TYPES), or,
//   when it has `class_name`, the custom type of that field (CUSTOM_COMPONENTS_MAPPING);
// - parameters merge downward, the component's own `$parameters` winning over its parent's;
// - every parameter also becomes a field of each typed component unless the field is already
//   truthy in Python's sense (so `name`, `primary_key`, `path`… arrive from `$parameters`);
// - a parameter named like a field is not passed into that field's subtree;
// - the merged parameters stay on each typed component as `$parameters`;
// - JSON schemas (`type: object` or `["null", "object"]`) are left alone; untyped dicts lose their
//   `$parameters` and only their typed children are visited.

import { copyJson } from "../../core/json.ts";
import { isPlainObject } from "./errors.ts";

type Obj = Record<string, unknown>;

/** The default type of a component without one, keyed "<ParentType>.<field>". */
export const DEFAULT_MODEL_TYPES: Readonly<Record<string, string>> = {
  "CompositeErrorHandler.error_handlers": "DefaultErrorHandler",
  "CursorPagination.decoder": "JsonDecoder",
  "DatetimeBasedCursor.end_datetime": "MinMaxDatetime",
  "DatetimeBasedCursor.end_time_option": "RequestOption",
  "DatetimeBasedCursor.start_datetime": "MinMaxDatetime",
  "DatetimeBasedCursor.start_time_option": "RequestOption",
  "DeclarativeSource.check": "CheckStream",
  "DeclarativeSource.spec": "Spec",
  // Not in the CDK's table of this version, but real manifests (source-airtable) leave it out.
  "Spec.config_normalization_rules": "ConfigNormalizationRules",
  "DeclarativeSource.streams": "DeclarativeStream",
  "ConditionalStreams.streams": "DeclarativeStream",
  "DeclarativeStream.retriever": "SimpleRetriever",
  "DeclarativeStream.schema_loader": "JsonFileSchemaLoader",
  "DynamicDeclarativeStream.stream_template": "DeclarativeStream",
  "DynamicDeclarativeStream.components_resolver": "ConfigComponentResolver",
  "HttpComponentsResolver.retriever": "SimpleRetriever",
  "HttpComponentsResolver.components_mapping": "ComponentMappingDefinition",
  "ConfigComponentsResolver.stream_config": "StreamConfig",
  "ConfigComponentsResolver.components_mapping": "ComponentMappingDefinition",
  "DefaultErrorHandler.response_filters": "HttpResponseFilter",
  "DefaultPaginator.decoder": "JsonDecoder",
  "DefaultPaginator.page_size_option": "RequestOption",
  "DpathExtractor.decoder": "JsonDecoder",
  "DpathExtractor.record_expander": "RecordExpander",
  "HttpRequester.error_handler": "DefaultErrorHandler",
  "ListPartitionRouter.request_option": "RequestOption",
  "ParentStreamConfig.request_option": "RequestOption",
  "ParentStreamConfig.stream": "DeclarativeStream",
  "RecordSelector.extractor": "DpathExtractor",
  "RecordSelector.record_filter": "RecordFilter",
  "SimpleRetriever.paginator": "NoPagination",
  "SimpleRetriever.record_selector": "RecordSelector",
  "SimpleRetriever.requester": "HttpRequester",
  "SubstreamPartitionRouter.parent_stream_configs": "ParentStreamConfig",
  "AddFields.fields": "AddedFieldDefinition",
  "CustomPartitionRouter.parent_stream_configs": "ParentStreamConfig",
  "DynamicSchemaLoader.retriever": "SimpleRetriever",
  "SchemaTypeIdentifier.types_map": "TypesMap",
  "StreamGroup.streams": "DeclarativeStream",
};

/** Fields holding a dict of components keyed by arbitrary names, and the type of each value. */
export const ADDITIONAL_PROPERTIES_TYPES: Readonly<Record<string, string>> = {
  "DeclarativeSource.stream_groups": "StreamGroup",
};

/** The type of a `class_name` component without `type`, keyed like DEFAULT_MODEL_TYPES. */
export const CUSTOM_COMPONENTS_MAPPING: Readonly<Record<string, string>> = {
  "CompositeErrorHandler.backoff_strategies": "CustomBackoffStrategy",
  "DeclarativeStream.retriever": "CustomRetriever",
  "DeclarativeStream.transformations": "CustomTransformation",
  "DefaultErrorHandler.backoff_strategies": "CustomBackoffStrategy",
  "DefaultPaginator.pagination_strategy": "CustomPaginationStrategy",
  "HttpRequester.authenticator": "CustomAuthenticator",
  "HttpRequester.error_handler": "CustomErrorHandler",
  "RecordSelector.extractor": "CustomRecordExtractor",
  "SimpleRetriever.partition_router": "CustomPartitionRouter",
};

const PARAMETERS = "$parameters";
/** Taken as-is (v7 schema: config_overrides values "are used as-is"). */
const VERBATIM_FIELDS = new Set(["config_overrides"]);

export class ParametersError extends Error {
  constructor(readonly value: unknown) {
    super("$parameters must be an object (a mapping of names to values)");
  }
}

/**
 * A deep copy of `component` with default types filled in and `$parameters` propagated.
 * Call with ("", manifest, {}) for a whole manifest, as ManifestDeclarativeSource does.
 */
export function propagateTypesAndParameters(
  parentFieldIdentifier: string,
  component: Obj,
  parentParameters: Obj,
  useParentParameters?: boolean,
): Obj {
  let propagated: Obj = copyJson(component);
  if (!Object.hasOwn(propagated, "type")) {
    const found = Object.hasOwn(propagated, "class_name")
      ? CUSTOM_COMPONENTS_MAPPING[parentFieldIdentifier]
      : DEFAULT_MODEL_TYPES[parentFieldIdentifier];
    if (found) propagated.type = found;
  }

  let current: Obj = copyJson(parentParameters);
  const own = Object.hasOwn(propagated, PARAMETERS) ? propagated[PARAMETERS] : {};
  delete propagated[PARAMETERS];
  if (!isPlainObject(own)) throw new ParametersError(own);
  current = useParentParameters ? { ...own, ...current } : { ...current, ...own };

  if (isJsonSchemaObject(propagated)) return propagated;

  if (!Object.hasOwn(propagated, "type")) {
    if (hasNestedComponents(propagated))
      propagated = processNestedComponents(propagated, parentFieldIdentifier, current, useParentParameters);
    return propagated;
  }

  for (const [key, value] of Object.entries(current)) {
    propagated[key] = truthy(propagated[key]) ? propagated[key] : value;
  }

  const type = typeLabel(propagated.type);
  for (const [fieldName, fieldValue] of Object.entries(propagated)) {
    if (VERBATIM_FIELDS.has(fieldName)) continue;
    if (isPlainObject(fieldValue)) {
      const excluded = pop(current, fieldName);
      const identifier = `${type}.${fieldName}`;
      const additionalType = ADDITIONAL_PROPERTIES_TYPES[identifier];
      if (additionalType) {
        for (const [key, value] of Object.entries(fieldValue)) {
          if (!isPlainObject(value)) continue;
          if (!Object.hasOwn(value, "type")) value.type = additionalType;
          fieldValue[key] = propagateTypesAndParameters(identifier, value, current, useParentParameters);
        }
      } else {
        propagated[fieldName] = propagateTypesAndParameters(
          identifier,
          fieldValue,
          current,
          useParentParameters,
        );
      }
      if (truthy(excluded)) current[fieldName] = excluded;
    } else if (Array.isArray(fieldValue)) {
      const excluded = pop(current, fieldName);
      for (const [i, element] of fieldValue.entries()) {
        if (isPlainObject(element))
          fieldValue[i] = propagateTypesAndParameters(
            `${type}.${fieldName}`,
            element,
            current,
            useParentParameters,
          );
      }
      if (truthy(excluded)) current[fieldName] = excluded;
    }
  }

  if (Object.keys(current).length > 0) propagated[PARAMETERS] = current;
  return propagated;
}

function isJsonSchemaObject(component: Obj): boolean {
  const type = component.type;
  return (
    type === "object" ||
    (Array.isArray(type) && type.length === 2 && type[0] === "null" && type[1] === "object")
  );
}

function hasNestedComponents(component: Obj): boolean {
  return Object.values(component).some((v) => isPlainObject(v) && truthy(v.type));
}

function processNestedComponents(
  component: Obj,
  parentFieldIdentifier: string,
  parameters: Obj,
  useParentParameters: boolean | undefined,
): Obj {
  for (const [fieldName, fieldValue] of Object.entries(component)) {
    if (isPlainObject(fieldValue) && truthy(fieldValue.type))
      component[fieldName] = propagateTypesAndParameters(
        parentFieldIdentifier,
        fieldValue,
        parameters,
        useParentParameters,
      );
  }
  return component;
}

function pop(object: Obj, key: string): unknown {
  if (!Object.hasOwn(object, key)) return undefined;
  const value = object[key];
  delete object[key];
  return value;
}

/** Python truthiness, which decides whether a field keeps its value over a parameter. */
export function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

/** The parent part of a field identifier; only a string type can ever match a table key. */
function typeLabel(type: unknown): string {
  return typeof type === "string" ? type : "<not a type name>";
}
