// The components the native runner supports, as zod schemas derived from the definitions of the same
// name in the CDK's declarative_component_schema.yaml (v7.28.2). We cannot ship that file, so these
// schemas are the runtime validation; tests/declarative/manifest/components.test.ts cross-checks
// them against the file (property names, required lists, and which component types each position
// allows).
//
// Each property that holds a component is a "slot": the supported types it allows, and the types
// the CDK also allows there that the native runner refuses. Unknown extra properties are accepted
// (the CDK schema allows them everywhere but at the top level). A property the CDK knows but the
// runner does not implement is refused when set, so nothing is silently ignored.

import { z } from "zod";
import { isPlainObject, kindOf } from "./errors.ts";
import { truthy } from "./transform.ts";

export const SUPPORTED_COMPONENTS = [
  "DeclarativeSource",
  "CheckStream",
  "CheckDynamicStream",
  "DynamicStreamCheckConfig",
  "DynamicDeclarativeStream",
  "HttpComponentsResolver",
  "ConfigComponentsResolver",
  "StreamConfig",
  "ParametrizedComponentsResolver",
  "StreamParametersDefinition",
  "ComponentMappingDefinition",
  "DynamicSchemaLoader",
  "SchemaTypeIdentifier",
  "Spec",
  "ConfigNormalizationRules",
  "ConfigMigration",
  "ConfigAddFields",
  "ConfigRemapField",
  "ConfigRemoveFields",
  "DpathValidator",
  "PredicateValidator",
  "ValidateAdheresToSchema",
  "ConcurrencyLevel",
  "HTTPAPIBudget",
  "FixedWindowCallRatePolicy",
  "MovingWindowCallRatePolicy",
  "UnlimitedCallRatePolicy",
  "StreamGroup",
  "BlockSimultaneousSyncsAction",
  "DeclarativeStream",
  "LegacyToPerPartitionStateMigration",
  "StateDelegatingStream",
  "ConditionalStreams",
  "SimpleRetriever",
  "AsyncRetriever",
  "AsyncJobStatusMap",
  "ResponseToFileExtractor",
  "HttpRequester",
  "QueryProperties",
  "PropertiesFromEndpoint",
  "PropertyChunking",
  "GroupByKeyMergeStrategy",
  "JsonSchemaPropertySelector",
  "RequestBodyPlainText",
  "RequestBodyUrlEncodedForm",
  "RequestBodyJsonObject",
  "RequestBodyGraphQL",
  "RecordSelector",
  "DpathExtractor",
  "RecordExpander",
  "RecordFilter",
  "InlineSchemaLoader",
  "JsonDecoder",
  "XmlDecoder",
  "JsonlDecoder",
  "CsvDecoder",
  "GzipDecoder",
  "IterableDecoder",
  "ZipfileDecoder",
  "JsonItemsDecoder",
  "DefaultPaginator",
  "PaginationReset",
  "PaginationResetLimits",
  "NoPagination",
  "CursorPagination",
  "OffsetIncrement",
  "PageIncrement",
  "RequestOption",
  "RequestPath",
  "DatetimeBasedCursor",
  "IncrementingCountCursor",
  "MinMaxDatetime",
  "SubstreamPartitionRouter",
  "ParentStreamConfig",
  "ListPartitionRouter",
  "GroupingPartitionRouter",
  "UnionPartitionRouter",
  "ApiKeyAuthenticator",
  "BearerAuthenticator",
  "BasicHttpAuthenticator",
  "OAuthAuthenticator",
  "SessionTokenAuthenticator",
  "SessionTokenRequestApiKeyAuthenticator",
  "SessionTokenRequestBearerAuthenticator",
  "SelectiveAuthenticator",
  "LegacySessionTokenAuthenticator",
  "JwtAuthenticator",
  "NoAuth",
  "AddFields",
  "AddedFieldDefinition",
  "RemoveFields",
  "KeysToLower",
  "KeysToSnakeCase",
  "KeysReplace",
  "FlattenFields",
  "DpathFlattenFields",
  "KeyTransformation",
  "DefaultErrorHandler",
  "CompositeErrorHandler",
  "HttpResponseFilter",
  "ExponentialBackoffStrategy",
  "ConstantBackoffStrategy",
  "WaitTimeFromHeader",
  "WaitUntilTimeFromHeader",
] as const;

export type SupportedComponent = (typeof SUPPORTED_COMPONENTS)[number];

/**
 * The `type` value of each supported component where it differs from the definition name (the
 * session token's request_authentication is written `type: ApiKey` / `type: Bearer`).
 */
export const COMPONENT_TYPE_VALUE: Readonly<Partial<Record<SupportedComponent, string>>> = {
  SessionTokenRequestApiKeyAuthenticator: "ApiKey",
  SessionTokenRequestBearerAuthenticator: "Bearer",
};

/** Every component type of the CDK schema (v7.28.2), to tell an unsupported type from a typo. */
export const CDK_COMPONENT_TYPES: readonly string[] = `
  AddedFieldDefinition AddFields ApiKeyAuthenticator BasicHttpAuthenticator BearerAuthenticator
  SelectiveAuthenticator RateLimitedMultipleTokenAuthenticator QuotaStatusSource TokenQuota
  CheckStream DynamicStreamCheckConfig CheckDynamicStream CompositeErrorHandler ConcurrencyLevel
  ConditionalStreams ConstantBackoffStrategy CursorPagination CustomAuthenticator
  CustomBackoffStrategy CustomErrorHandler CustomPaginationStrategy CustomRecordExtractor
  CustomRecordFilter CustomRequester CustomRetriever CustomPartitionRouter CustomSchemaLoader
  CustomSchemaNormalization CustomStateMigration CustomTransformation
  LegacyToPerPartitionStateMigration IncrementingCountCursor DatetimeBasedCursor JwtAuthenticator
  OAuthAuthenticator DeclarativeStream HTTPAPIBudget FixedWindowCallRatePolicy
  MovingWindowCallRatePolicy UnlimitedCallRatePolicy DefaultErrorHandler DefaultPaginator
  DpathExtractor ResponseToFileExtractor RecordExpander ExponentialBackoffStrategy
  GroupByKeyMergeStrategy SessionTokenAuthenticator SessionTokenRequestApiKeyAuthenticator
  SessionTokenRequestBearerAuthenticator HttpRequester HttpResponseFilter SchemaTypeIdentifier
  DynamicSchemaLoader InlineSchemaLoader JsonFileSchemaLoader JsonDecoder JsonItemsDecoder
  JsonlDecoder JsonSchemaPropertySelector KeysToLower KeysToSnakeCase FlattenFields KeyTransformation
  DpathFlattenFields KeysReplace IterableDecoder XmlDecoder CustomDecoder ZipfileDecoder
  ListPartitionRouter MinMaxDatetime NoAuth NoPagination OffsetIncrement PageIncrement
  ParentStreamConfig PropertiesFromEndpoint PropertyChunking QueryProperties RecordFilter
  RecordSelector RemoveFields RequestPath RequestOption LegacySessionTokenAuthenticator
  StateDelegatingStream SimpleRetriever PaginationReset PaginationResetLimits GzipDecoder CsvDecoder
  AsyncJobStatusMap AsyncRetriever Spec ConfigMigration BlockSimultaneousSyncsAction
  SubstreamPartitionRouter WaitTimeFromHeader GroupingPartitionRouter UnionPartitionRouter
  WaitUntilTimeFromHeader ComponentMappingDefinition HttpComponentsResolver StreamConfig
  ConfigComponentsResolver StreamParametersDefinition ParametrizedComponentsResolver
  DynamicDeclarativeStream RequestBodyPlainText RequestBodyUrlEncodedForm RequestBodyJsonObject
  RequestBodyGraphQL DpathValidator PredicateValidator ValidateAdheresToSchema
  CustomValidationStrategy ConfigRemapField ConfigAddFields ConfigRemoveFields
  CustomConfigTransformation
`
  .trim()
  .split(/\s+/);

/** Type values that name CDK components without being definition names. */
const OTHER_CDK_TYPE_VALUES = ["ApiKey", "Bearer", "ConfigNormalizationRules", "FileUploader", "StreamGroup"];
const KNOWN_TYPES = new Set([...CDK_COMPONENT_TYPES, ...OTHER_CDK_TYPE_VALUES]);

// ---------------------------------------------------------------------------------------------
// Slots and refused properties

export interface SlotSpec {
  /** Supported definition names this position accepts. */
  supported: readonly SupportedComponent[];
  /** Types the CDK accepts here that the native runner refuses. */
  unsupported: readonly string[];
}

const SLOTS = new WeakMap<z.ZodType, SlotSpec>();
const REFUSED = new WeakMap<z.ZodType, string>();

const typeValue = (name: SupportedComponent): string => COMPONENT_TYPE_VALUE[name] ?? name;

/** A property holding one component of the given types. */
function slot(supported: readonly SupportedComponent[], unsupported: readonly string[] = []): z.ZodType {
  const spec: SlotSpec = { supported, unsupported };
  const error = (issue: { input?: unknown }) => slotMessage(issue.input, spec);
  // With no supported type, an object is refused (a custom issue) and anything else is the wrong
  // JSON type (invalid_type), so a union can still pick its other branch for a string.
  const schema =
    supported.length === 0
      ? z.looseObject({}, { error }).refine(() => false, { error })
      : z.lazy(() => {
          const [first, ...rest] = supported.map((name) => COMPONENTS[name]);
          if (!first) throw new Error("a slot needs a supported type");
          return z.discriminatedUnion("type", [first, ...rest], { error });
        });
  SLOTS.set(schema, spec);
  return schema;
}

/** The message of a value that does not fit a slot; its first words say which kind of problem. */
export function slotMessage(value: unknown, spec: SlotSpec): string {
  const expected = spec.supported.map(typeValue);
  const expectedText = expected.length ? expected.join(" or ") : "";
  const className = isPlainObject(value) ? value.class_name : undefined;
  const type = isPlainObject(value) ? value.type : undefined;
  // Custom components (Python classes) are named by class_name; their types all start with Custom.
  if (typeof className === "string" || (typeof type === "string" && type.startsWith("Custom")))
    return customMessage(typeof className === "string" ? className : undefined, type);
  const notImplemented = `unsupported property: the native runner does not implement ${spec.unsupported.join(" or ")}`;
  if (!isPlainObject(value))
    return expectedText
      ? `expected a ${expectedText} component (an object), got ${kindOf(value)}`
      : notImplemented;
  if (!Object.hasOwn(value, "type"))
    return expectedText ? `missing component type; expected ${expectedText}` : notImplemented;
  if (typeof type !== "string") return `component type must be a string, got ${kindOf(type)}`;
  if (spec.unsupported.includes(type)) return `unsupported component type '${type}'`;
  const expectation = expectedText ? `; expected ${expectedText}` : "";
  if (KNOWN_TYPES.has(type)) return `component type '${type}' is not allowed here${expectation}`;
  return `unknown component type '${type}'${expectation}`;
}

export function customMessage(className: string | undefined, type: unknown): string {
  const what = className ? `custom component '${className}'` : `custom component type '${String(type)}'`;
  return `${what} is Python code (components.py); the native runner cannot run it. Use override_execution_mode 'python' or 'docker'.`;
}

/** A CDK property the runner does not implement: fine when unset or empty, refused otherwise. */
function refused(why: string): z.ZodType {
  const schema = z.custom<unknown>((value) => !truthy(value), { error: `unsupported property: ${why}` });
  REFUSED.set(schema, why);
  return schema.optional();
}

// ---------------------------------------------------------------------------------------------
// Values

const str = z.string();
const bool = z.boolean();
const int = z.int();
const strings = z.array(z.string());
const object = z.record(z.string(), z.unknown());
const parameters = object.optional();
const intOrString = z.union([z.int(), z.string()], {
  error: "expected an integer or an interpolated string",
});
/** HttpRequestRegexMatcher (no `type` of its own in the CDK's schema). */
const requestMatcher = z.looseObject({
  method: z.string().optional(),
  url_base: z.string().optional(),
  url_path_pattern: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  headers: z.record(z.string(), z.unknown()).optional(),
  weight: z.union([z.int(), z.string()]).optional(),
});
const numberOrString = z.union([z.number(), z.string()], {
  error: "expected a number or an interpolated string",
});
const nonNegative = z.number().min(0, { error: "expected a number of seconds ≥ 0" });
const nonNegativeOrString = z.union([nonNegative, z.string()], {
  error: "expected a number of seconds ≥ 0 or an interpolated string",
});
const stringOrObjectOf = (value: z.ZodType, what: string) =>
  z.union([z.record(z.string(), value), z.string()], { error: `expected ${what} or an interpolated string` });

const primaryKey = z.union([z.string(), z.array(z.string()), z.array(z.array(z.string()))], {
  error: "expected a field name, a list of field names, or a list of field paths",
});

/** A component schema: `type` fixed to its type value, unknown extra properties kept. */
function component<S extends z.ZodRawShape>(name: SupportedComponent, shape: S) {
  return z.looseObject({ type: z.literal(typeValue(name)), ...shape });
}

const AUTHENTICATORS: SupportedComponent[] = [
  "ApiKeyAuthenticator",
  "BasicHttpAuthenticator",
  "BearerAuthenticator",
  "OAuthAuthenticator",
  "SessionTokenAuthenticator",
  "SelectiveAuthenticator",
  "LegacySessionTokenAuthenticator",
  "JwtAuthenticator",
  "NoAuth",
];
const UNSUPPORTED_AUTHENTICATORS = ["CustomAuthenticator", "RateLimitedMultipleTokenAuthenticator"];
const PARTITION_ROUTERS: SupportedComponent[] = [
  "SubstreamPartitionRouter",
  "ListPartitionRouter",
  "GroupingPartitionRouter",
  "UnionPartitionRouter",
];
const UNSUPPORTED_PARTITION_ROUTERS = ["CustomPartitionRouter"];
const TRANSFORMATIONS: SupportedComponent[] = [
  "AddFields",
  "RemoveFields",
  "KeysToLower",
  "KeysToSnakeCase",
  "FlattenFields",
  "DpathFlattenFields",
  "KeysReplace",
];
const CONFIG_TRANSFORMATIONS: SupportedComponent[] = [
  "ConfigRemapField",
  "ConfigAddFields",
  "ConfigRemoveFields",
];
const SCHEMA_LOADERS: SupportedComponent[] = ["InlineSchemaLoader", "DynamicSchemaLoader"];
const UNSUPPORTED_SCHEMA_LOADERS = ["JsonFileSchemaLoader", "CustomSchemaLoader"];
const BACKOFF_STRATEGIES: SupportedComponent[] = [
  "ConstantBackoffStrategy",
  "ExponentialBackoffStrategy",
  "WaitTimeFromHeader",
  "WaitUntilTimeFromHeader",
];
const DECODERS: SupportedComponent[] = [
  "JsonDecoder",
  "XmlDecoder",
  "JsonlDecoder",
  "CsvDecoder",
  "GzipDecoder",
  "IterableDecoder",
  "ZipfileDecoder",
  "JsonItemsDecoder",
];
/** The decoders a GzipDecoder or ZipfileDecoder may hold (the CDK's parsers). */
const NESTED_DECODERS: SupportedComponent[] = [
  "CsvDecoder",
  "GzipDecoder",
  "JsonDecoder",
  "JsonItemsDecoder",
  "JsonlDecoder",
];

// ---------------------------------------------------------------------------------------------
// Components, in the order of SUPPORTED_COMPONENTS

type ComponentSchema = z.ZodObject<z.ZodRawShape, z.core.$loose | z.core.$strict>;

export const COMPONENTS: Readonly<Record<SupportedComponent, ComponentSchema>> = {
  // The top level (the schema's root); the CDK allows no unknown properties here.
  DeclarativeSource: z.strictObject({
    type: z.literal("DeclarativeSource"),
    check: slot(["CheckStream", "CheckDynamicStream"]),
    streams: z.array(slot(["DeclarativeStream", "StateDelegatingStream", "ConditionalStreams"])).optional(),
    dynamic_streams: z.array(slot(["DynamicDeclarativeStream"])).optional(),
    version: str,
    schemas: object.optional(),
    definitions: object.optional(),
    spec: slot(["Spec"]).optional(),
    concurrency_level: slot(["ConcurrencyLevel"]).optional(),
    api_budget: slot(["HTTPAPIBudget"]).optional(),
    stream_groups: z.record(z.string(), slot(["StreamGroup"])).optional(),
    max_concurrent_async_job_count: intOrString.optional(),
    metadata: object.optional(),
    description: str.optional(),
  }),

  CheckStream: component("CheckStream", {
    stream_names: strings.optional(),
    dynamic_streams_check_configs: z.array(slot(["DynamicStreamCheckConfig"])).optional(),
    config_overrides: object.optional(),
  }),

  DynamicStreamCheckConfig: component("DynamicStreamCheckConfig", {
    dynamic_stream_name: str,
    stream_count: z.int().min(1, { error: "expected an integer of at least 1" }).optional(),
  }),

  CheckDynamicStream: component("CheckDynamicStream", {
    stream_count: int,
    use_check_availability: bool.optional(),
    config_overrides: object.optional(),
  }),

  // dynamic_streams: streams made from a template, one for each component the resolver finds.
  DynamicDeclarativeStream: component("DynamicDeclarativeStream", {
    name: str.optional(),
    stream_template: slot(["DeclarativeStream", "StateDelegatingStream"]),
    components_resolver: slot([
      "HttpComponentsResolver",
      "ConfigComponentsResolver",
      "ParametrizedComponentsResolver",
    ]),
    use_parent_parameters: bool.optional(),
  }),
  HttpComponentsResolver: component("HttpComponentsResolver", {
    retriever: slot(["SimpleRetriever"], ["AsyncRetriever", "CustomRetriever"]),
    components_mapping: z.array(slot(["ComponentMappingDefinition"])),
    $parameters: parameters,
  }),
  ConfigComponentsResolver: component("ConfigComponentsResolver", {
    stream_config: z.union([slot(["StreamConfig"]), z.array(slot(["StreamConfig"]))]),
    components_mapping: z.array(slot(["ComponentMappingDefinition"])),
    $parameters: parameters,
  }),
  StreamConfig: component("StreamConfig", {
    configs_pointer: strings,
    default_values: z.array(object).optional(),
    $parameters: parameters,
  }),
  ParametrizedComponentsResolver: component("ParametrizedComponentsResolver", {
    stream_parameters: slot(["StreamParametersDefinition"]),
    components_mapping: z.array(slot(["ComponentMappingDefinition"])),
    $parameters: parameters,
  }),
  StreamParametersDefinition: component("StreamParametersDefinition", {
    list_of_parameters_for_stream: z.array(object),
  }),
  ComponentMappingDefinition: component("ComponentMappingDefinition", {
    field_path: strings,
    value: str,
    value_type: z.enum(["string", "number", "integer", "boolean"]).optional(),
    create_or_update: bool.optional(),
    condition: str.optional(),
    $parameters: parameters,
  }),
  DynamicSchemaLoader: component("DynamicSchemaLoader", {
    retriever: slot(["SimpleRetriever"], ["AsyncRetriever", "CustomRetriever"]),
    schema_filter: slot(["RecordFilter"], ["CustomRecordFilter"]).optional(),
    schema_transformations: z.array(slot(TRANSFORMATIONS, ["CustomTransformation"])).optional(),
    schema_type_identifier: slot(["SchemaTypeIdentifier"]),
    $parameters: parameters,
  }),
  // `type` is optional here: the CDK's schema does not require it.
  SchemaTypeIdentifier: z.looseObject({
    type: z.literal("SchemaTypeIdentifier").optional(),
    schema_pointer: strings.optional(),
    key_pointer: strings,
    type_pointer: strings.optional(),
    // TypesMap: no `type` of its own in the CDK's schema.
    types_mapping: z
      .array(
        z.looseObject({
          target_type: z.union([str, z.array(str), object], {
            error: "expected a type name, a list of two, or a ComplexFieldType",
          }),
          current_type: z.union([str, z.array(str)], { error: "expected a type name or a list of them" }),
          condition: str.optional(),
        }),
      )
      .optional(),
    $parameters: parameters,
  }),

  Spec: component("Spec", {
    connection_specification: object,
    documentation_url: str.optional(),
    advanced_auth: z
      .looseObject({
        auth_flow_type: z.enum(["oauth2.0", "oauth1.0"]).optional(),
        predicate_key: strings.optional(),
        predicate_value: str.optional(),
        oauth_config_specification: object.optional(),
      })
      .optional(),
    config_normalization_rules: slot(["ConfigNormalizationRules"]).optional(),
  }),

  // Spec.config_normalization_rules (an inline object of the CDK's schema, not a definition).
  ConfigNormalizationRules: component("ConfigNormalizationRules", {
    config_migrations: z.array(slot(["ConfigMigration"])).optional(),
    transformations: z.array(slot(CONFIG_TRANSFORMATIONS, ["CustomConfigTransformation"])).optional(),
    validations: z.array(slot(["DpathValidator", "PredicateValidator"])).optional(),
  }),
  ConfigMigration: component("ConfigMigration", {
    description: str.optional(),
    transformations: z.array(slot(CONFIG_TRANSFORMATIONS, ["CustomConfigTransformation"])),
  }),
  ConfigAddFields: component("ConfigAddFields", {
    fields: z.array(slot(["AddedFieldDefinition"])),
    condition: str.optional(),
  }),
  ConfigRemapField: component("ConfigRemapField", {
    map: z.union([object, str], { error: "expected an object or an interpolated string" }),
    field_path: strings,
  }),
  ConfigRemoveFields: component("ConfigRemoveFields", {
    field_pointers: z.array(strings),
    condition: str.optional(),
  }),
  DpathValidator: component("DpathValidator", {
    field_path: strings,
    validation_strategy: slot(["ValidateAdheresToSchema"], ["CustomValidationStrategy"]),
  }),
  PredicateValidator: component("PredicateValidator", {
    value: z.custom<unknown>((v) => v !== undefined, { error: "a value to validate is required" }),
    validation_strategy: slot(["ValidateAdheresToSchema"], ["CustomValidationStrategy"]),
  }),
  ValidateAdheresToSchema: component("ValidateAdheresToSchema", {
    base_schema: z.union([object, str], { error: "expected a JSON schema (an object, or its JSON text)" }),
  }),

  // `type` is optional here: the CDK has no default type for concurrency_level.
  ConcurrencyLevel: z.looseObject({
    type: z.literal("ConcurrencyLevel").optional(),
    default_concurrency: intOrString,
    max_concurrency: int.optional(),
    $parameters: parameters,
  }),

  HTTPAPIBudget: component("HTTPAPIBudget", {
    policies: z.array(
      slot(["FixedWindowCallRatePolicy", "MovingWindowCallRatePolicy", "UnlimitedCallRatePolicy"]),
    ),
    ratelimit_reset_header: str.optional(),
    ratelimit_remaining_header: str.optional(),
    status_codes_for_ratelimit_hit: z.array(int).optional(),
  }),

  FixedWindowCallRatePolicy: component("FixedWindowCallRatePolicy", {
    period: str,
    call_limit: int,
    matchers: z.array(requestMatcher),
  }),

  MovingWindowCallRatePolicy: component("MovingWindowCallRatePolicy", {
    rates: z.array(z.looseObject({ limit: intOrString, interval: str })),
    matchers: z.array(requestMatcher),
  }),

  UnlimitedCallRatePolicy: component("UnlimitedCallRatePolicy", { matchers: z.array(requestMatcher) }),

  // Streams that must not be read at the same time: the native runner reads one stream after
  // another, so the group holds by construction.
  StreamGroup: z.looseObject({
    type: z.literal("StreamGroup").optional(),
    streams: z.array(slot(["DeclarativeStream"])),
    action: slot(["BlockSimultaneousSyncsAction"]),
  }),
  BlockSimultaneousSyncsAction: component("BlockSimultaneousSyncsAction", {}),

  // `type` is optional here, as in the CDK's schema.
  LegacyToPerPartitionStateMigration: z.looseObject({
    type: z.literal("LegacyToPerPartitionStateMigration").optional(),
  }),

  // Streams that exist only when the condition holds for the config (with no $parameters).
  ConditionalStreams: component("ConditionalStreams", {
    condition: str,
    streams: z.array(slot(["DeclarativeStream"])),
    $parameters: parameters,
  }),

  StateDelegatingStream: component("StateDelegatingStream", {
    name: str,
    full_refresh_stream: slot(["DeclarativeStream"]),
    incremental_stream: slot(["DeclarativeStream"]),
    api_retention_period: str.optional(),
    $parameters: parameters,
  }),

  DeclarativeStream: component("DeclarativeStream", {
    name: str.optional(),
    retriever: slot(["SimpleRetriever", "AsyncRetriever"], ["CustomRetriever"]),
    incremental_sync: slot(["DatetimeBasedCursor", "IncrementingCountCursor"]).optional(),
    primary_key: primaryKey.optional(),
    schema_loader: z
      .union([
        slot(SCHEMA_LOADERS, UNSUPPORTED_SCHEMA_LOADERS),
        z.array(slot(SCHEMA_LOADERS, UNSUPPORTED_SCHEMA_LOADERS)),
      ])
      .optional(),
    transformations: z.array(slot(TRANSFORMATIONS, ["CustomTransformation"])).optional(),
    state_migrations: z
      .array(slot(["LegacyToPerPartitionStateMigration"], ["CustomStateMigration"]))
      .optional(),
    file_uploader: slot([], ["FileUploader"]).optional(),
    $parameters: parameters,
  }),

  SimpleRetriever: component("SimpleRetriever", {
    requester: slot(["HttpRequester"], ["CustomRequester"]),
    decoder: slot(DECODERS, ["CustomDecoder"]).optional(),
    record_selector: slot(["RecordSelector"]),
    paginator: slot(["DefaultPaginator", "NoPagination"]).optional(),
    pagination_reset: slot(["PaginationReset"]).optional(),
    ignore_stream_slicer_parameters_on_paginated_requests: bool.optional(),
    partition_router: z
      .union([
        slot(PARTITION_ROUTERS, UNSUPPORTED_PARTITION_ROUTERS),
        z.array(slot(PARTITION_ROUTERS, UNSUPPORTED_PARTITION_ROUTERS)),
      ])
      .optional(),
    $parameters: parameters,
  }),

  AsyncRetriever: component("AsyncRetriever", {
    record_selector: slot(["RecordSelector"]),
    status_mapping: slot(["AsyncJobStatusMap"]),
    status_extractor: slot(["DpathExtractor"], ["CustomRecordExtractor"]),
    download_target_extractor: slot(["DpathExtractor"], ["CustomRecordExtractor"]).optional(),
    download_extractor: slot(
      ["DpathExtractor", "ResponseToFileExtractor"],
      ["CustomRecordExtractor"],
    ).optional(),
    creation_requester: slot(["HttpRequester"], ["CustomRequester"]),
    polling_requester: slot(["HttpRequester"], ["CustomRequester"]),
    polling_job_timeout: intOrString.optional(),
    failed_retry_wait_time_in_seconds: z
      .union([z.int().min(1), z.string()], {
        error: "expected an integer of at least 1 or an interpolated string",
      })
      .optional(),
    download_target_requester: slot(["HttpRequester"], ["CustomRequester"]).optional(),
    download_requester: slot(["HttpRequester"], ["CustomRequester"]),
    download_paginator: slot(["DefaultPaginator", "NoPagination"]).optional(),
    abort_requester: slot(["HttpRequester"], ["CustomRequester"]).optional(),
    delete_requester: slot(["HttpRequester"], ["CustomRequester"]).optional(),
    partition_router: z
      .union([
        slot(PARTITION_ROUTERS, UNSUPPORTED_PARTITION_ROUTERS),
        z.array(slot(PARTITION_ROUTERS, UNSUPPORTED_PARTITION_ROUTERS)),
      ])
      .optional(),
    decoder: slot(DECODERS, ["CustomDecoder"]).optional(),
    download_decoder: slot(DECODERS, ["CustomDecoder"]).optional(),
    $parameters: parameters,
  }),

  // `type` is optional here, as in the CDK's schema.
  AsyncJobStatusMap: z.looseObject({
    type: z.literal("AsyncJobStatusMap").optional(),
    running: strings,
    completed: strings,
    failed: strings,
    timeout: strings,
    skipped: strings.optional(),
  }),

  ResponseToFileExtractor: component("ResponseToFileExtractor", {
    preserve_na_values: bool.optional(),
    $parameters: parameters,
  }),

  HttpRequester: component("HttpRequester", {
    url_base: str.optional(),
    url: str.optional(),
    path: str.optional(),
    http_method: z.enum(["GET", "POST"]).optional(),
    authenticator: slot(AUTHENTICATORS, UNSUPPORTED_AUTHENTICATORS).optional(),
    fetch_properties_from_endpoint: slot(["PropertiesFromEndpoint"]).optional(),
    query_properties: slot(["QueryProperties"]).optional(),
    request_parameters: stringOrObjectOf(
      z.union([z.string(), slot(["QueryProperties"])], {
        error: "expected a string (request parameter values are strings or interpolated strings)",
      }),
      "an object of strings",
    ).optional(),
    request_headers: stringOrObjectOf(z.string(), "an object of strings").optional(),
    request_body_data: stringOrObjectOf(z.string(), "an object of strings").optional(),
    request_body_json: stringOrObjectOf(z.unknown(), "an object").optional(),
    request_body: slot([
      "RequestBodyPlainText",
      "RequestBodyUrlEncodedForm",
      "RequestBodyJsonObject",
      "RequestBodyGraphQL",
    ]).optional(),
    error_handler: slot(["DefaultErrorHandler", "CompositeErrorHandler"], ["CustomErrorHandler"]).optional(),
    use_cache: bool.optional(),
    $parameters: parameters,
  }),

  QueryProperties: component("QueryProperties", {
    property_list: z.union([strings, slot(["PropertiesFromEndpoint"])], {
      error: "expected a list of property names or a PropertiesFromEndpoint",
    }),
    always_include_properties: strings.optional(),
    property_chunking: slot(["PropertyChunking"]).optional(),
    property_selector: slot(["JsonSchemaPropertySelector"]).optional(),
    $parameters: parameters,
  }),

  PropertiesFromEndpoint: component("PropertiesFromEndpoint", {
    property_field_path: strings,
    retriever: slot(["SimpleRetriever"], ["CustomRetriever"]),
    $parameters: parameters,
  }),

  PropertyChunking: component("PropertyChunking", {
    property_limit_type: z.enum(["characters", "property_count"]),
    property_limit: int.optional(),
    record_merge_strategy: slot(["GroupByKeyMergeStrategy"]).optional(),
    $parameters: parameters,
  }),

  GroupByKeyMergeStrategy: component("GroupByKeyMergeStrategy", {
    key: z.union([str, strings], { error: "expected a field name or a list of them" }),
    $parameters: parameters,
  }),

  JsonSchemaPropertySelector: component("JsonSchemaPropertySelector", {
    transformations: z.array(slot(TRANSFORMATIONS, ["CustomTransformation"])).optional(),
    $parameters: parameters,
  }),

  RequestBodyPlainText: component("RequestBodyPlainText", { value: str }),
  RequestBodyUrlEncodedForm: component("RequestBodyUrlEncodedForm", { value: z.record(z.string(), str) }),
  // The CDK's current schema takes a string too: a template that renders a JSON object.
  RequestBodyJsonObject: component("RequestBodyJsonObject", {
    value: z.union([object, str], { error: "expected an object or an interpolated string" }),
  }),
  // RequestBodyGraphQlQuery: the query, and any other key (variables, operationName) as it is.
  RequestBodyGraphQL: component("RequestBodyGraphQL", { value: z.looseObject({ query: str }) }),

  RecordSelector: component("RecordSelector", {
    extractor: slot(["DpathExtractor"], ["CustomRecordExtractor"]),
    record_filter: slot(["RecordFilter"], ["CustomRecordFilter"]).optional(),
    schema_normalization: z
      .union([z.enum(["Default", "None"]), slot([], ["CustomSchemaNormalization"])], {
        error: "expected 'Default' or 'None'",
      })
      .optional(),
    transform_before_filtering: bool.optional(),
    $parameters: parameters,
  }),

  DpathExtractor: component("DpathExtractor", {
    field_path: strings,
    record_expander: slot(["RecordExpander"]).optional(),
    $parameters: parameters,
  }),

  RecordExpander: component("RecordExpander", {
    expand_records_from_field: strings,
    remain_original_record: bool.optional(),
    on_no_records: z.enum(["skip", "emit_parent"]).optional(),
    $parameters: parameters,
  }),

  RecordFilter: component("RecordFilter", {
    condition: str.optional(),
    $parameters: parameters,
  }),

  InlineSchemaLoader: component("InlineSchemaLoader", {
    schema: object.optional(),
  }),

  JsonDecoder: component("JsonDecoder", {}),

  XmlDecoder: component("XmlDecoder", {}),

  JsonlDecoder: component("JsonlDecoder", {}),

  CsvDecoder: component("CsvDecoder", {
    encoding: str.optional(),
    delimiter: str.optional(),
    set_values_to_none: z.array(z.string()).optional(),
  }),

  GzipDecoder: component("GzipDecoder", { decoder: slot(NESTED_DECODERS) }),

  IterableDecoder: component("IterableDecoder", {}),

  ZipfileDecoder: component("ZipfileDecoder", { decoder: slot(NESTED_DECODERS) }),

  JsonItemsDecoder: component("JsonItemsDecoder", { items_path: str, encoding: str.optional() }),

  PaginationReset: component("PaginationReset", {
    action: z.enum(["SPLIT_USING_CURSOR", "RESET"]),
    limits: slot(["PaginationResetLimits"]).optional(),
  }),

  PaginationResetLimits: component("PaginationResetLimits", { number_of_records: int.optional() }),

  DefaultPaginator: component("DefaultPaginator", {
    pagination_strategy: slot(
      ["PageIncrement", "OffsetIncrement", "CursorPagination"],
      ["CustomPaginationStrategy"],
    ),
    page_size_option: slot(["RequestOption"]).optional(),
    page_token_option: slot(["RequestOption", "RequestPath"]).optional(),
    $parameters: parameters,
  }).superRefine((paginator, ctx) => {
    // DefaultPaginator.__post_init__ refuses a size option with no size to send.
    const strategy = paginator.pagination_strategy as { type?: unknown; page_size?: unknown } | undefined;
    const custom = strategy?.type === "CustomPaginationStrategy";
    if (paginator.page_size_option && strategy && !custom && !truthy(strategy.page_size))
      ctx.addIssue({
        code: "custom",
        path: ["page_size_option"],
        message: "page_size_option cannot be set if the pagination strategy does not have a page_size",
      });
  }),

  NoPagination: component("NoPagination", {}),

  CursorPagination: component("CursorPagination", {
    cursor_value: str,
    page_size: intOrString.optional(),
    stop_condition: str.optional(),
    $parameters: parameters,
  }),

  OffsetIncrement: component("OffsetIncrement", {
    page_size: intOrString.optional(),
    inject_on_first_request: bool.optional(),
    $parameters: parameters,
  }),

  PageIncrement: component("PageIncrement", {
    page_size: intOrString.optional(),
    start_from_page: int.optional(),
    inject_on_first_request: bool.optional(),
    $parameters: parameters,
  }),

  // The CDK's RequestOption checks these when it is built, before any request.
  RequestOption: component("RequestOption", {
    inject_into: z.enum(["request_parameter", "header", "body_data", "body_json"]),
    field_name: str.optional(),
    field_path: strings.optional(),
  }).superRefine((option, ctx) => {
    const name = truthy(option.field_name);
    const path = truthy(option.field_path);
    if (!name && !path)
      ctx.addIssue({ code: "custom", message: "RequestOption requires either a field_name or field_path" });
    if (name && path)
      ctx.addIssue({
        code: "custom",
        message: "Only one of field_name or field_path can be provided to RequestOption",
      });
    if (path && option.inject_into !== "body_json")
      ctx.addIssue({
        code: "custom",
        path: ["field_path"],
        message:
          "Nested field injection is only supported for body JSON injection; use a top-level field_name",
      });
  }),

  RequestPath: component("RequestPath", {}),

  IncrementingCountCursor: component("IncrementingCountCursor", {
    cursor_field: str,
    allow_catalog_defined_cursor_field: refused(
      "a cursor field chosen in the catalog (IncrementingCountCursor.allow_catalog_defined_cursor_field)",
    ),
    start_value: intOrString.optional(),
    start_value_option: slot(["RequestOption"]).optional(),
    $parameters: parameters,
  }),

  DatetimeBasedCursor: component("DatetimeBasedCursor", {
    clamping: refused("clamping of slice boundaries (DatetimeBasedCursor.clamping)"),
    cursor_field: str,
    allow_catalog_defined_cursor_field: refused(
      "a cursor field chosen in the catalog (DatetimeBasedCursor.allow_catalog_defined_cursor_field)",
    ),
    cursor_datetime_formats: strings.optional(),
    start_datetime: z.union([str, slot(["MinMaxDatetime"])], {
      error: "expected an interpolated string or a MinMaxDatetime",
    }),
    start_time_option: slot(["RequestOption"]).optional(),
    end_datetime: z
      .union([str, slot(["MinMaxDatetime"])], {
        error: "expected an interpolated string or a MinMaxDatetime",
      })
      .optional(),
    end_time_option: slot(["RequestOption"]).optional(),
    datetime_format: str,
    cursor_granularity: str.optional(),
    is_data_feed: bool.optional(),
    is_client_side_incremental: bool.optional(),
    is_compare_strictly: bool.optional(),
    global_substream_cursor: bool.optional(),
    lookback_window: str.optional(),
    partition_field_end: str.optional(),
    partition_field_start: str.optional(),
    step: str.optional(),
    $parameters: parameters,
  }).superRefine((cursor, ctx) => {
    if (truthy(cursor.step) !== truthy(cursor.cursor_granularity))
      ctx.addIssue({
        code: "custom",
        message: `If step is defined, cursor_granularity should be as well and vice-versa. Right now, step is \`${String(cursor.step ?? "None")}\` and cursor_granularity is \`${String(cursor.cursor_granularity ?? "None")}\``,
      });
  }),

  MinMaxDatetime: component("MinMaxDatetime", {
    datetime: str,
    datetime_format: str.optional(),
    max_datetime: str.optional(),
    min_datetime: str.optional(),
    $parameters: parameters,
  }),

  SubstreamPartitionRouter: component("SubstreamPartitionRouter", {
    parent_stream_configs: z.array(slot(["ParentStreamConfig"])),
    $parameters: parameters,
  }),

  ParentStreamConfig: component("ParentStreamConfig", {
    stream: slot(["DeclarativeStream", "StateDelegatingStream"]),
    parent_key: str,
    partition_field: str,
    request_option: slot(["RequestOption"]).optional(),
    incremental_dependency: bool.optional(),
    lazy_read_pointer: refused(
      "reading child records from the parent record (ParentStreamConfig.lazy_read_pointer)",
    ),
    extra_fields: z.array(strings).optional(),
    $parameters: parameters,
  }),

  GroupingPartitionRouter: component("GroupingPartitionRouter", {
    group_size: int,
    underlying_partition_router: slot(
      ["ListPartitionRouter", "SubstreamPartitionRouter", "UnionPartitionRouter"],
      ["CustomPartitionRouter"],
    ),
    deduplicate: bool.optional(),
    $parameters: parameters,
  }),

  UnionPartitionRouter: component("UnionPartitionRouter", {
    partition_field: str,
    partition_routers: z.array(
      slot(
        ["ListPartitionRouter", "SubstreamPartitionRouter", "UnionPartitionRouter"],
        ["CustomPartitionRouter"],
      ),
    ),
    $parameters: parameters,
  }),

  ListPartitionRouter: component("ListPartitionRouter", {
    cursor_field: str,
    values: z.union([str, strings], { error: "expected a list of strings or an interpolated string" }),
    request_option: slot(["RequestOption"]).optional(),
    $parameters: parameters,
  }),

  // The CDK checks inject_into and the deprecated header when it builds the authenticator.
  ApiKeyAuthenticator: component("ApiKeyAuthenticator", {
    api_token: str.optional(),
    header: str.optional(),
    inject_into: slot(["RequestOption"]).optional(),
    $parameters: parameters,
  }).superRefine((auth, ctx) => {
    const header = auth.header !== undefined && auth.header !== null;
    const injectInto = auth.inject_into !== undefined && auth.inject_into !== null;
    if (!header && !injectInto)
      ctx.addIssue({
        code: "custom",
        message: "Expected either inject_into or header to be set for ApiKeyAuthenticator",
      });
    if (header && injectInto)
      ctx.addIssue({
        code: "custom",
        message:
          "inject_into and header cannot be set both for ApiKeyAuthenticator - remove the deprecated header option",
      });
  }),

  BearerAuthenticator: component("BearerAuthenticator", {
    api_token: str,
    $parameters: parameters,
  }),

  BasicHttpAuthenticator: component("BasicHttpAuthenticator", {
    username: str,
    password: str.optional(),
    $parameters: parameters,
  }),

  OAuthAuthenticator: component("OAuthAuthenticator", {
    client_id_name: str.optional(),
    client_id: str.optional(),
    client_secret_name: str.optional(),
    client_secret: str.optional(),
    refresh_token_name: str.optional(),
    refresh_token: str.optional(),
    token_refresh_endpoint: str.optional(),
    access_token_name: str.optional(),
    access_token_value: str.optional(),
    expires_in_name: str.optional(),
    grant_type_name: str.optional(),
    grant_type: str.optional(),
    refresh_request_body: object.optional(),
    refresh_request_headers: object.optional(),
    send_refresh_request_as_query_params: bool.optional(),
    scopes: strings.optional(),
    token_expiry_date: str.optional(),
    token_expiry_date_format: str.optional(),
    refresh_token_error_status_codes: z.array(int).optional(),
    refresh_token_error_key: str.optional(),
    refresh_token_error_values: strings.optional(),
    // Plain object (no type): where to write rotated tokens back into the config.
    refresh_token_updater: z
      .looseObject({
        refresh_token_name: str.optional(),
        access_token_config_path: strings.optional(),
        refresh_token_config_path: strings.optional(),
        token_expiry_date_config_path: strings.optional(),
        refresh_token_error_status_codes: z.array(int).optional(),
        refresh_token_error_key: str.optional(),
        refresh_token_error_values: strings.optional(),
      })
      .optional(),
    profile_assertion: slot(["JwtAuthenticator"]).optional(),
    use_profile_assertion: bool.optional(),
    $parameters: parameters,
  }),

  SessionTokenAuthenticator: component("SessionTokenAuthenticator", {
    login_requester: slot(["HttpRequester"]),
    session_token_path: strings,
    expiration_duration: str.optional(),
    request_authentication: slot([
      "SessionTokenRequestApiKeyAuthenticator",
      "SessionTokenRequestBearerAuthenticator",
    ]),
    decoder: slot(["JsonDecoder"], ["XmlDecoder"]).optional(),
    $parameters: parameters,
  }),

  SessionTokenRequestApiKeyAuthenticator: component("SessionTokenRequestApiKeyAuthenticator", {
    inject_into: slot(["RequestOption"]),
    api_token: str.optional(),
  }),

  SessionTokenRequestBearerAuthenticator: component("SessionTokenRequestBearerAuthenticator", {}),

  JwtAuthenticator: component("JwtAuthenticator", {
    secret_key: str,
    base64_encode_secret_key: bool.optional(),
    algorithm: z.enum([
      "HS256",
      "HS384",
      "HS512",
      "ES256",
      "ES256K",
      "ES384",
      "ES512",
      "RS256",
      "RS384",
      "RS512",
      "PS256",
      "PS384",
      "PS512",
      "EdDSA",
    ]),
    token_duration: int.optional(),
    header_prefix: str.optional(),
    jwt_headers: z.looseObject({ kid: str.optional(), typ: str.optional(), cty: str.optional() }).optional(),
    additional_jwt_headers: object.optional(),
    jwt_payload: z.looseObject({ iss: str.optional(), sub: str.optional(), aud: str.optional() }).optional(),
    additional_jwt_payload: object.optional(),
    passphrase: str.optional(),
    request_option: slot(["RequestOption"]).optional(),
    $parameters: parameters,
  }),

  SelectiveAuthenticator: component("SelectiveAuthenticator", {
    authenticator_selection_path: strings,
    authenticators: z.record(
      z.string(),
      slot(
        [
          "ApiKeyAuthenticator",
          "BasicHttpAuthenticator",
          "BearerAuthenticator",
          "OAuthAuthenticator",
          "SessionTokenAuthenticator",
          "LegacySessionTokenAuthenticator",
          "JwtAuthenticator",
          "NoAuth",
        ],
        UNSUPPORTED_AUTHENTICATORS,
      ),
    ),
    $parameters: parameters,
  }),

  LegacySessionTokenAuthenticator: component("LegacySessionTokenAuthenticator", {
    header: str,
    login_url: str,
    session_token: str.optional(),
    session_token_response_key: str,
    username: str.optional(),
    password: str.optional(),
    validate_session_url: str,
    $parameters: parameters,
  }),

  NoAuth: component("NoAuth", { $parameters: parameters }),

  AddFields: component("AddFields", {
    fields: z.array(slot(["AddedFieldDefinition"])),
    condition: str.optional(),
    $parameters: parameters,
  }),

  AddedFieldDefinition: component("AddedFieldDefinition", {
    path: strings,
    value: str,
    value_type: z.enum(["string", "number", "integer", "boolean"]).optional(),
    $parameters: parameters,
  }),

  RemoveFields: component("RemoveFields", {
    condition: str.optional(),
    field_pointers: z.array(strings),
  }),

  KeysToLower: component("KeysToLower", { $parameters: parameters }),

  KeysToSnakeCase: component("KeysToSnakeCase", { $parameters: parameters }),

  KeysReplace: component("KeysReplace", {
    old: str,
    new: str,
    $parameters: parameters,
  }),

  FlattenFields: component("FlattenFields", {
    flatten_lists: bool.optional(),
    $parameters: parameters,
  }),

  DpathFlattenFields: component("DpathFlattenFields", {
    field_path: strings,
    delete_origin_value: bool.optional(),
    replace_record: bool.optional(),
    key_transformation: slot(["KeyTransformation"]).optional(),
    $parameters: parameters,
  }),

  KeyTransformation: component("KeyTransformation", {
    prefix: str.optional(),
    suffix: str.optional(),
  }),

  DefaultErrorHandler: component("DefaultErrorHandler", {
    backoff_strategies: z.array(slot(BACKOFF_STRATEGIES, ["CustomBackoffStrategy"])).optional(),
    max_retries: intOrString.optional(),
    response_filters: z.array(slot(["HttpResponseFilter"])).optional(),
    $parameters: parameters,
  }),

  CompositeErrorHandler: component("CompositeErrorHandler", {
    error_handlers: z.array(slot(["CompositeErrorHandler", "DefaultErrorHandler"], ["CustomErrorHandler"])),
    $parameters: parameters,
  }),

  HttpResponseFilter: component("HttpResponseFilter", {
    action: z
      .enum([
        "SUCCESS",
        "FAIL",
        "RETRY",
        "IGNORE",
        "RESET_PAGINATION",
        "RATE_LIMITED",
        "REFRESH_TOKEN_THEN_RETRY",
      ])
      .optional(),
    failure_type: z.enum(["system_error", "config_error", "transient_error"]).optional(),
    error_message: str.optional(),
    error_message_contains: str.optional(),
    http_codes: z
      .array(int)
      .refine((codes) => new Set(codes).size === codes.length, { error: "http_codes lists a code twice" })
      .optional(),
    predicate: str.optional(),
    $parameters: parameters,
  }),

  ExponentialBackoffStrategy: component("ExponentialBackoffStrategy", {
    factor: numberOrString.optional(),
    jitter_range_in_seconds: nonNegative.optional(),
    $parameters: parameters,
  }),

  ConstantBackoffStrategy: component("ConstantBackoffStrategy", {
    backoff_time_in_seconds: nonNegativeOrString,
    jitter_range_in_seconds: nonNegative.optional(),
    $parameters: parameters,
  }),

  WaitTimeFromHeader: component("WaitTimeFromHeader", {
    header: str,
    regex: str.optional(),
    max_waiting_time_in_seconds: numberOrString.optional(),
    $parameters: parameters,
  }),

  WaitUntilTimeFromHeader: component("WaitUntilTimeFromHeader", {
    header: str,
    min_wait: numberOrString.optional(),
    regex: str.optional(),
    max_waiting_time_in_seconds: numberOrString.optional(),
    $parameters: parameters,
  }),
};

// ---------------------------------------------------------------------------------------------
// Introspection, for the cross-check against the CDK schema and for tooling

export interface ComponentDescription {
  properties: string[];
  required: string[];
  /** Each property that holds components, with the types allowed there. */
  slots: Record<string, SlotSpec[]>;
  /** CDK properties the runner refuses when set. */
  refused: Record<string, string>;
}

export function describeComponent(name: SupportedComponent): ComponentDescription {
  const shape = COMPONENTS[name].shape;
  const description: ComponentDescription = { properties: [], required: [], slots: {}, refused: {} };
  for (const [property, schema] of Object.entries(shape)) {
    description.properties.push(property);
    if (!(schema as z.ZodType).safeParse(undefined).success) description.required.push(property);
    const found: SlotSpec[] = [];
    const why = collectSlots(schema as z.ZodType, found);
    if (found.length) description.slots[property] = found;
    if (why) description.refused[property] = why;
  }
  return description;
}

/** Finds the slots inside a property's schema; returns the reason when the property is refused. */
function collectSlots(schema: z.ZodType, found: SlotSpec[]): string | undefined {
  const spec = SLOTS.get(schema);
  if (spec) {
    found.push(spec);
    return undefined;
  }
  const reason = REFUSED.get(schema);
  if (reason) return reason;
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  const inner: unknown[] = [];
  if (def.type === "optional" || def.type === "nullable" || def.type === "default") inner.push(def.innerType);
  else if (def.type === "union") inner.push(...(def.options as unknown[]));
  else if (def.type === "array") inner.push(def.element);
  else if (def.type === "record") inner.push(def.valueType);
  let why: string | undefined;
  for (const s of inner) why = collectSlots(s as z.ZodType, found) ?? why;
  return why;
}
