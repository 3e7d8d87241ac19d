// Builds the runtime of a loaded manifest: each component node (already resolved, typed and
// validated by the loader) becomes the object that does its job. Only the components the
// loader accepts reach here, so an unknown type is a bug, reported with its path.

import { type AsyncJobSpec, AsyncJobs, jobStatusMapping } from "./async-jobs.ts";
import {
  ApiKeyAuthenticator,
  type Authenticator,
  basic,
  bearer,
  type LegacySessionHttp,
  LegacySessionTokenAuthenticator,
  NO_AUTH,
  OAuthAuthenticator,
  SessionTokenAuthenticator,
  selectAuthenticator,
  type TokenPost,
} from "./auth.ts";
import { CountCursor, DatetimeCursor, type MinMax } from "./cursor.ts";
import { addDuration, parseAnyMicros, parseDuration, parseMicros } from "./dates.ts";
import { createDecoder, type Decoder, unpaginableDecoderMessage } from "./decoders.ts";
import { type DynamicSchemaSpec, loadDynamicSchema } from "./dynamic.ts";
import { DeclarativeError } from "./errors.ts";
import { sleep as abortableSleep } from "./http/abort.ts";
import type { BackoffStrategy } from "./http/backoff.ts";
import {
  ConstantBackoffStrategy,
  ExponentialBackoffStrategy,
  WaitTimeFromHeader,
  WaitUntilTimeFromHeader,
} from "./http/backoff.ts";
import type { HttpClient, HttpRequest } from "./http/client.ts";
import {
  CompositeErrorHandler,
  DefaultErrorHandler,
  type ErrorHandler,
  HttpResponseFilter,
} from "./http/error-handler.ts";
import { JwtAuthenticator } from "./jwt.ts";
import {
  CursorPagination,
  DefaultPaginator,
  NO_PAGINATION,
  OffsetIncrement,
  PageIncrement,
  type PaginationStrategy,
  type Paginator,
} from "./paginator.ts";
import {
  CartesianRouter,
  GroupingRouter,
  ListRouter,
  type ParentConfig,
  type PartitionRouter,
  SubstreamRouter,
  UnionRouter,
} from "./partitions.ts";
import { QueryProperties } from "./query-properties.ts";
import {
  addedFieldsOf,
  addFields,
  dpathExtractor,
  dpathFlattenFields,
  type Extractor,
  flattenFields,
  keysReplace,
  keysToLower,
  keysToSnakeCase,
  normalizer,
  type RecordExpander,
  type RecordSelector,
  removeFields,
  type Transformation,
} from "./records.ts";
import { formEncodeMapping, type RequestOption, requestOptionOf } from "./request.ts";
import { HttpRequester } from "./requester.ts";
import { DeclarativeStreamRunner } from "./stream.ts";
import { evalString, evaluateBoolean, evaluateMapping, evalValue, withoutNone } from "./template.ts";
import { asArray, dpathGet, dpathSet, isObj, type Obj, pyStr, truthy } from "./values.ts";

export interface FactoryDeps {
  client: HttpClient;
  config: Obj;
  now: () => Date;
  /** A rotated credential: the whole config as it should now be saved (the CDK's CONTROL message). */
  onConfigUpdate?: (config: Obj) => void;
  /** A credential obtained at run time, for the redactor. */
  onSecret?: ((value: string) => void) | undefined;
  /** max_concurrent_async_job_count, evaluated: async jobs that may run at once (default 1). */
  asyncJobConcurrency?: number | undefined;
  /** The client's per-attempt timeout: also how long a streamed download may stall. */
  timeoutMs?: number | undefined;
  /** Waits between async job polls; aborted with the run. */
  sleep?: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
  log?: { debug(message: string): void; warn(message: string): void } | undefined;
}

type Node = Obj;

export class ComponentFactory {
  /** Parent streams are built once per definition node, so a shared parent is read as one stream. */
  private readonly streams = new Map<Node, DeclarativeStreamRunner>();
  /** Every stream built, parents included: what a request's description may name. */
  readonly streamNames = new Set<string>();
  /** OAuth with a refresh_token_updater: one authenticator per token, shared by its requesters. */
  private readonly singleUseOAuth = new Map<string, OAuthAuthenticator>();
  /** Whether a built parent config asks for incremental_dependency, which is not implemented. */
  incrementalDependency = false;

  constructor(private readonly deps: FactoryDeps) {}

  private ctx(node: Node): Obj {
    return { config: this.deps.config, parameters: params(node) };
  }

  stream(node: Node, path: string): DeclarativeStreamRunner {
    const existing = this.streams.get(node);
    if (existing) return existing;
    const parameters = params(node);
    const name = pyStr(evalString(node.name ?? parameters.name ?? "", this.ctx(node)));
    this.streamNames.add(name);
    const where = `${path} (${name})`;
    const retrieverNode = obj(node.retriever, `${where}.retriever`);
    const isAsync = retrieverNode.type === "AsyncRetriever";
    if (!isAsync && retrieverNode.type !== "SimpleRetriever")
      unsupported(retrieverNode, `${where}.retriever`);
    const dynamicSchema = this.dynamicSchema(node, where);
    const schema = dynamicSchema ? {} : this.schema(node, where);
    const transformations = asArray<Node>(node.transformations).map((t, i) =>
      this.transformation(t, `${where}.transformations[${i}]`),
    );
    const decoder = createDecoder(retrieverNode.decoder, `${where}.retriever.decoder`);
    const requesterKey = isAsync ? "creation_requester" : "requester";
    const requesterWhere = `${where}.retriever.${requesterKey}`;
    let requesterNode = obj(retrieverNode[requesterKey], requesterWhere);
    const queryProperties = isAsync ? null : this.queryProperties(requesterNode, requesterWhere);
    if (queryProperties) requesterNode = queryProperties.requester;
    const requester = this.requester(requesterNode, requesterWhere, name, decoder);
    const selector = this.selector(
      obj(retrieverNode.record_selector, `${where}.retriever.record_selector`),
      transformations,
      schema,
      isObj(node.incremental_sync) && node.incremental_sync.is_client_side_incremental === true,
    );
    // An AsyncRetriever's records come from its download: its record selector only filters,
    // transforms and normalizes them.
    if (isAsync) selector.extract = (record) => [record];
    const paginator =
      !isAsync && retrieverNode.paginator
        ? this.paginator(
            obj(retrieverNode.paginator, `${where}.retriever.paginator`),
            `${where}.retriever.paginator`,
            decoder,
          )
        : NO_PAGINATION;
    const router = this.router(retrieverNode.partition_router, `${where}.retriever.partition_router`);
    const counting = isObj(node.incremental_sync) && node.incremental_sync.type === "IncrementingCountCursor";
    const cursor =
      node.incremental_sync && !counting
        ? this.cursor(obj(node.incremental_sync, `${where}.incremental_sync`), `${where}.incremental_sync`)
        : null;
    const counter = counting
      ? this.counter(node.incremental_sync as Node, `${where}.incremental_sync`, name, router)
      : null;
    const runner = new DeclarativeStreamRunner(
      {
        name,
        primaryKey: primaryKeyOf(node.primary_key ?? parameters.primary_key),
        schema,
        retriever: {
          requester,
          decoder,
          selector,
          paginator,
          slicerOnFirstPageOnly: retrieverNode.ignore_stream_slicer_parameters_on_paginated_requests === true,
          ...(isAsync
            ? { jobs: this.asyncJobs(retrieverNode, `${where}.retriever`, name, requester, decoder) }
            : {}),
          ...(queryProperties ? { queryProperties: queryProperties.qp } : {}),
          ...(isObj(retrieverNode.pagination_reset)
            ? { paginationReset: this.paginationReset(retrieverNode, `${where}.retriever`) }
            : {}),
        },
        cursor,
        counter,
        migrateState: this.stateMigration(node, retrieverNode, `${where}.state_migrations`),
        router,
        parameters,
        ...(dynamicSchema
          ? {
              dynamicSchema: {
                load: (signal: AbortSignal) =>
                  loadDynamicSchema(dynamicSchema, this, this.deps.config, signal),
                normalize:
                  isObj(retrieverNode.record_selector) &&
                  retrieverNode.record_selector.schema_normalization === "Default",
              },
            }
          : {}),
      },
      this.deps.config,
    );
    this.streams.set(node, runner);
    return runner;
  }

  /**
   * QueryProperties of a requester (create_simple_retriever): in request_parameters (the key the
   * properties go in, removed from the parameters), as fetch_properties_from_endpoint, or as
   * query_properties (templates only). Null without any.
   */
  private queryProperties(node: Node, where: string): { qp: QueryProperties; requester: Node } | null {
    const requestParams = isObj(node.request_parameters) ? node.request_parameters : {};
    const inParams = Object.entries(requestParams).filter(
      ([, v]) => isObj(v) && v.type === "QueryProperties",
    );
    if (inParams.length > 1)
      throw new DeclarativeError(
        `${where}.request_parameters: request_parameters only supports defining one QueryProperties field, but found ${inParams.length} usages`,
      );
    const fromEndpoint = isObj(node.fetch_properties_from_endpoint)
      ? node.fetch_properties_from_endpoint
      : null;
    if (inParams.length > 0 && fromEndpoint)
      throw new DeclarativeError(
        `${where}: PropertiesFromEndpoint should only be specified once per stream, but found in HttpRequester.fetch_properties_from_endpoint and HttpRequester.request_parameters`,
      );
    let qpNode: Node;
    let key: string | null = null;
    let at: string;
    if (inParams.length > 0) {
      const [k, v] = inParams[0] as [string, Node];
      qpNode = v;
      key = evalString(k, this.ctx(node));
      at = `${where}.request_parameters.${k}`;
    } else if (fromEndpoint) {
      qpNode = { type: "QueryProperties", property_list: fromEndpoint };
      at = `${where}.fetch_properties_from_endpoint`;
    } else if (isObj(node.query_properties)) {
      qpNode = node.query_properties;
      at = `${where}.query_properties`;
    } else return null;
    const requester: Node = { ...node };
    if (key !== null)
      requester.request_parameters = Object.fromEntries(
        Object.entries(requestParams).filter(([, v]) => v !== qpNode),
      );
    delete requester.fetch_properties_from_endpoint;
    delete requester.query_properties;
    const list = qpNode.property_list;
    let fields: (signal: AbortSignal) => Promise<string[]>;
    if (isObj(list)) {
      // PropertiesFromEndpoint: its retriever read once, each record's property_field_path as text.
      const ctx = this.ctx(list);
      const path = asArray(list.property_field_path).map((p) => evalString(p, ctx));
      const endpoint = this.stream(
        {
          type: "DeclarativeStream",
          name: "",
          retriever: obj(list.retriever, `${at}.property_list.retriever`),
          schema_loader: { type: "InlineSchemaLoader", schema: {} },
          $parameters: params(list),
        },
        `${at}.property_list`,
      );
      let read: Promise<string[]> | null = null;
      fields = (signal) => {
        read ??= (async () => {
          const out: string[] = [];
          for await (const { record } of endpoint.records(signal))
            out.push(pyStr(dpathGet(record, path) ?? []));
          return out;
        })();
        return read;
      };
    } else {
      const names = asArray(list).map(String);
      fields = async () => names;
    }
    const chunking = isObj(qpNode.property_chunking) ? qpNode.property_chunking : null;
    const merge =
      chunking && isObj(chunking.record_merge_strategy) ? chunking.record_merge_strategy.key : "id";
    const selector = isObj(qpNode.property_selector) ? qpNode.property_selector : null;
    return {
      requester,
      qp: new QueryProperties({
        key,
        fields,
        alwaysInclude: Array.isArray(qpNode.always_include_properties)
          ? qpNode.always_include_properties.map(String)
          : null,
        chunking: chunking
          ? {
              limitType: chunking.property_limit_type === "characters" ? "characters" : "property_count",
              limit: typeof chunking.property_limit === "number" ? chunking.property_limit : null,
              mergeKey: Array.isArray(merge) ? merge.map(String) : [String(merge ?? "id")],
            }
          : null,
        selector: selector
          ? {
              transformations: asArray<Node>(selector.transformations).map((t, i) =>
                this.transformation(t, `${at}.property_selector.transformations[${i}]`),
              ),
            }
          : null,
      }),
    };
  }

  /** An AsyncRetriever's job runner (the CDK's create_async_retriever). */
  private asyncJobs(
    node: Node,
    where: string,
    name: string,
    creation: HttpRequester,
    decoder: Decoder,
  ): AsyncJobs {
    const optional = (key: string, alias?: string): HttpRequester | null => {
      const k = node[key] === undefined && alias !== undefined && node[alias] !== undefined ? alias : key;
      const n = node[k];
      return n === undefined || n === null
        ? null
        : this.requester(obj(n, `${where}.${k}`), `${where}.${k}`, name, decoder);
    };
    const extractor = (v: unknown, at: string): Extractor => this.extractor(obj(v, at), at);
    // CDK 6.x named these urls_extractor and url_requester.
    const targetKey =
      node.download_target_extractor === undefined && node.urls_extractor !== undefined
        ? "urls_extractor"
        : "download_target_extractor";
    const targetNode = node[targetKey];
    const downloadTarget = optional("download_target_requester", "url_requester");
    if (downloadTarget && (targetNode === undefined || targetNode === null))
      throw new DeclarativeError(
        `${where}: \`download_target_extractor\` required if using a \`download_target_requester\``,
      );
    // The download: a SimpleRetriever of its own (_get_download_retriever), its requester and
    // paginator built with download_decoder whatever the extractor.
    const downloadExtractor = isObj(node.download_extractor)
      ? node.download_extractor
      : { type: "DpathExtractor", field_path: [] };
    const downloadDecoder = createDecoder(node.download_decoder, `${where}.download_decoder`);
    const downloadRequester = this.requester(
      obj(node.download_requester, `${where}.download_requester`),
      `${where}.download_requester`,
      name,
      downloadDecoder,
    );
    const downloadPaginator = isObj(node.download_paginator)
      ? this.paginator(node.download_paginator, `${where}.download_paginator`, downloadDecoder)
      : NO_PAGINATION;
    let download: AsyncJobSpec["download"];
    if (downloadExtractor.type === "ResponseToFileExtractor") {
      // The CSV file is read as it arrives, unless the error handler must read the body first.
      downloadRequester.spec.binary = true;
      downloadRequester.spec.stream = downloadRequester.spec.errorHandler.readsBody !== true;
      download = {
        kind: "file",
        requester: downloadRequester,
        preserveNaValues: downloadExtractor.preserve_na_values === true,
        idleMs: this.deps.timeoutMs ?? 300_000,
      };
    } else {
      const runner = new DeclarativeStreamRunner(
        {
          name,
          primaryKey: [],
          schema: {},
          retriever: {
            requester: downloadRequester,
            decoder: downloadDecoder,
            selector: {
              extract: extractor(downloadExtractor, `${where}.download_extractor`),
              filter: null,
              transformFirst: false,
              transformations: [],
              normalize: null,
            },
            paginator: downloadPaginator,
          },
          cursor: null,
          router: null,
          parameters: params(node),
        },
        this.deps.config,
      );
      download = { kind: "pages", runner };
    }
    const ctx = this.ctx(node);
    const minutes = Number(pyStr(evalValue(node.polling_job_timeout ?? "", ctx)) || 0) || 60;
    const retryWait = Number(pyStr(evalValue(node.failed_retry_wait_time_in_seconds ?? "", ctx)) || 0);
    return new AsyncJobs({
      stream: name,
      creation,
      polling: this.requester(
        obj(node.polling_requester, `${where}.polling_requester`),
        `${where}.polling_requester`,
        name,
        decoder,
      ),
      downloadTarget,
      abort: optional("abort_requester"),
      delete: optional("delete_requester"),
      decoder,
      statusExtractor: extractor(node.status_extractor, `${where}.status_extractor`),
      targetExtractor:
        targetNode === undefined || targetNode === null
          ? null
          : extractor(targetNode, `${where}.${targetKey}`),
      statuses: jobStatusMapping(
        obj(node.status_mapping, `${where}.status_mapping`),
        `${where}.status_mapping`,
      ),
      timeoutMs: minutes * 60_000,
      failedRetryWaitMs: Number.isFinite(retryWait) ? retryWait * 1000 : 0,
      download,
      config: this.deps.config,
      parameters: params(node),
      sleep: this.deps.sleep ?? abortableSleep,
      log: this.deps.log ?? { debug: () => {}, warn: () => {} },
      concurrency: this.deps.asyncJobConcurrency ?? 1,
    });
  }

  /** A DynamicSchemaLoader's parts; its schema is read when a command needs it (see dynamic.ts). */
  private dynamicSchema(node: Node, where: string): DynamicSchemaSpec | null {
    const l = node.schema_loader;
    if (!isObj(l) || l.type !== "DynamicSchemaLoader") return null;
    const at = `${where}.schema_loader`;
    const id = obj(l.schema_type_identifier, `${at}.schema_type_identifier`);
    const ctx = this.ctx(l);
    const pointer = (v: unknown) => asArray(v).map((p) => evalString(p, ctx));
    return {
      retriever: {
        type: "DeclarativeStream",
        // Unnamed, as the CDK builds it: not a stream, so a rate limit there is no stream's status.
        name: "",
        retriever: obj(l.retriever, `${at}.retriever`),
        schema_loader: { type: "InlineSchemaLoader", schema: {} },
        $parameters: params(l),
      },
      schemaPointer: pointer(id.schema_pointer),
      keyPointer: pointer(id.key_pointer),
      typePointer: id.type_pointer === undefined ? null : pointer(id.type_pointer),
      typesMapping: asArray<Node>(id.types_mapping).map((m) => ({
        target: m.target_type,
        current: m.current_type,
        condition: typeof m.condition === "string" && m.condition !== "" ? m.condition : null,
      })),
      filter: isObj(l.schema_filter) ? String(l.schema_filter.condition ?? "") || null : null,
      filterParameters: isObj(l.schema_filter) ? params(l.schema_filter) : params(l),
      parameters: params(l),
      transformations: asArray<Node>(l.schema_transformations).map((t, i) =>
        this.transformation(t, `${at}.schema_transformations[${i}]`),
      ),
      where: `${at}.retriever`,
    };
  }

  private schema(node: Node, where: string): Obj {
    const loader = node.schema_loader;
    if (loader === undefined || loader === null)
      return { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: {} };
    const l = obj(loader, `${where}.schema_loader`);
    if (l.type === "InlineSchemaLoader") return isObj(l.schema) ? l.schema : {};
    return unsupported(l, `${where}.schema_loader`);
  }

  /** `decoder`: how the responses are read (its bytes, or streamed as the CDK does). */
  requester(node: Node, where: string, name: string, decoder?: Decoder): HttpRequester {
    if (node.type !== "HttpRequester") unsupported(node, where);
    return new HttpRequester(
      {
        name,
        binary: decoder?.binary === true,
        streamed: decoder?.streamed === true,
        urlBase: String(node.url ?? node.url_base ?? ""),
        path: node.url ? "" : String(node.path ?? ""),
        method: String(node.http_method ?? "GET").toUpperCase(),
        params: node.request_parameters,
        headers: node.request_headers,
        ...requestBodies(node, where),
        parameters: params(node),
        auth: node.authenticator
          ? this.lazyAuthenticator(
              obj(node.authenticator, `${where}.authenticator`),
              `${where}.authenticator`,
              node.url_base ?? node.url ?? "",
            )
          : NO_AUTH,
        errorHandler: this.errorHandler(node.error_handler, `${where}.error_handler`),
      },
      this.deps.client,
    );
  }

  /** Built at the first request, as the CDK evaluates credentials only then: discover needs none. */
  private lazyAuthenticator(node: Node, where: string, urlBase: unknown): Authenticator {
    let built: Authenticator | null = null;
    return {
      apply: (parts, signal) => {
        built ??= this.authenticator(node, where, urlBase);
        return built.apply(parts, signal);
      },
      // Known once built (a request has been made with it).
      get fixed() {
        return built?.fixed === true;
      },
    };
  }

  /** A JwtAuthenticator (also an OAuthAuthenticator's profile_assertion). */
  private jwt(node: Node, where: string): JwtAuthenticator {
    const ctx = this.ctx(node);
    const s = (v: unknown) => evalString(v, ctx);
    const v = (x: unknown) => (x === undefined || x === null ? null : evalValue(x, ctx));
    const mapping = (m: unknown): Obj =>
      Object.fromEntries(
        Object.entries(isObj(m) ? m : {}).map(([k, x]) => [
          s(k),
          typeof x === "string" ? evalValue(x, ctx) : x,
        ]),
      );
    const headers = isObj(node.jwt_headers) ? node.jwt_headers : {};
    const claims = isObj(node.jwt_payload) ? node.jwt_payload : {};
    return new JwtAuthenticator({
      algorithm: String(node.algorithm),
      secretKey: s(node.secret_key),
      base64EncodeSecretKey: node.base64_encode_secret_key === true,
      passphrase: node.passphrase ? s(node.passphrase) || null : null,
      tokenDuration: typeof node.token_duration === "number" ? node.token_duration : 1200,
      headerPrefix: node.header_prefix ? s(node.header_prefix) : "",
      headers: {
        kid: v(headers.kid),
        typ: headers.typ === undefined ? "JWT" : v(headers.typ),
        cty: v(headers.cty),
      },
      additionalHeaders: mapping(node.additional_jwt_headers),
      claims: { iss: v(claims.iss), sub: v(claims.sub), aud: v(claims.aud) },
      additionalPayload: mapping(node.additional_jwt_payload),
      option: isObj(node.request_option)
        ? (requestOptionOf(node.request_option, `${where}.request_option`) as RequestOption)
        : { injectInto: "header", fieldName: "Authorization", fieldPath: null },
      ctx,
      now: this.deps.now,
    });
  }

  /** `urlBase` is the requester's (unevaluated): LegacySessionTokenAuthenticator's API URL. */
  private authenticator(node: Node, where: string, urlBase: unknown): Authenticator {
    const ctx = this.ctx(node);
    const s = (v: unknown) => evalString(v, ctx);
    switch (node.type) {
      case "NoAuth":
        return NO_AUTH;
      case "BearerAuthenticator":
        return bearer(s(node.api_token));
      case "JwtAuthenticator":
        return this.jwt(node, where);
      case "BasicHttpAuthenticator":
        return basic(
          s(node.username),
          node.password === undefined || node.password === null ? "" : s(node.password),
        );
      case "ApiKeyAuthenticator": {
        const option: RequestOption = node.inject_into
          ? (requestOptionOf(node.inject_into, `${where}.inject_into`) as RequestOption)
          : { injectInto: "header", fieldName: String(node.header ?? ""), fieldPath: null };
        return new ApiKeyAuthenticator(s(node.api_token), option, ctx);
      }
      case "OAuthAuthenticator": {
        const scopes =
          node.scopes === undefined || node.scopes === null
            ? null
            : asArray(evalValue(node.scopes, ctx)).map(pyStr);
        const name = (v: unknown, d: string) => (v ? s(v) : d);
        const expiryFormat = node.token_expiry_date_format ? String(node.token_expiry_date_format) : null;
        const initialExpiry = node.token_expiry_date
          ? parseExpiry(s(node.token_expiry_date), expiryFormat)
          : null;
        const updater = isObj(node.refresh_token_updater) ? node.refresh_token_updater : null;
        const onConfigUpdate = this.deps.onConfigUpdate;
        const configPath = (v: unknown, d: string[]) => (Array.isArray(v) ? v.map(String) : d);
        const paths = updater
          ? {
              refresh: configPath(updater.refresh_token_config_path, ["credentials", "refresh_token"]),
              access: configPath(updater.access_token_config_path, ["credentials", "access_token"]),
              expiry: configPath(updater.token_expiry_date_config_path, ["credentials", "token_expiry_date"]),
            }
          : null;
        const endpoint = s(node.token_refresh_endpoint);
        // use_profile_assertion: the JWT bearer grant, signed by the profile_assertion authenticator.
        const useAssertion =
          typeof node.use_profile_assertion === "string"
            ? evaluateBoolean(node.use_profile_assertion, ctx)
            : node.use_profile_assertion === true;
        if (useAssertion && !isObj(node.profile_assertion))
          throw new DeclarativeError(
            `${where}: OAuthAuthenticator configuration error: 'profile_assertion' is required when using the profile assertion flow.`,
          );
        const jwt = useAssertion
          ? this.jwt(node.profile_assertion as Node, `${where}.profile_assertion`)
          : null;
        const profileAssertion = jwt ? () => jwt.value() : null;
        const clientId = s(node.client_id);
        // A single-use refresh token lives in the config, shared by every stream, as the CDK's
        // DeclarativeSingleUseRefreshTokenOauth2Authenticator reads and writes it there: one
        // authenticator for all the requesters that name the same token, so a refresh token is
        // spent once, and a live access token saved with the config is used before any refresh.
        const sharedKey = paths ? JSON.stringify([endpoint, clientId, paths]) : null;
        const shared = sharedKey === null ? undefined : this.singleUseOAuth.get(sharedKey);
        if (shared) return shared;
        const stored = (path: string[] | undefined) => {
          const v = path ? dpathGet(this.deps.config, path) : undefined;
          return typeof v === "string" && v !== "" ? v : null;
        };
        const storedToken = stored(paths?.access);
        const storedExpiry = stored(paths?.expiry);
        const valueToken = node.access_token_value ? s(node.access_token_value) || null : null;
        const authenticator = new OAuthAuthenticator(
          {
            endpoint,
            grantType: node.grant_type ? s(node.grant_type) : "refresh_token",
            clientId,
            clientSecret: s(node.client_secret),
            refreshToken:
              stored(paths?.refresh) ?? (node.refresh_token === undefined ? null : s(node.refresh_token)),
            names: {
              clientId: name(node.client_id_name, "client_id"),
              clientSecret: name(node.client_secret_name, "client_secret"),
              refreshToken: name(node.refresh_token_name, "refresh_token"),
              grantType: name(node.grant_type_name, "grant_type"),
            },
            asQuery: node.send_refresh_request_as_query_params === true,
            // The stored token's own expiry; a stored token without a readable one is refreshed.
            initialExpiry: storedToken ? (parseExpiry(storedExpiry ?? "", null) ?? 0) : initialExpiry,
            scopes,
            extraBody: isObj(node.refresh_request_body)
              ? evaluateMapping(node.refresh_request_body, ctx)
              : {},
            headers: Object.fromEntries(
              Object.entries(
                isObj(node.refresh_request_headers) ? evaluateMapping(node.refresh_request_headers, ctx) : {},
              ).map(([k, v]) => [k, pyStr(v)]),
            ),
            accessTokenName: node.access_token_name ? s(node.access_token_name) : "access_token",
            expiresInName: node.expires_in_name ? s(node.expires_in_name) : "expires_in",
            expiryDateFormat: expiryFormat,
            initialToken: storedToken ?? valueToken,
            assertion: profileAssertion,
            rotation:
              updater && paths
                ? {
                    field: name(updater.refresh_token_name, "refresh_token"),
                    onRotate: (refreshToken, accessToken, expiresAt) => {
                      const config = structuredClone(this.deps.config);
                      dpathSet(config, paths.refresh, refreshToken);
                      dpathSet(config, paths.access, accessToken);
                      if (Number.isFinite(expiresAt))
                        dpathSet(config, paths.expiry, new Date(expiresAt).toISOString());
                      onConfigUpdate?.(config);
                    },
                  }
                : null,
            now: this.deps.now,
            onSecret: this.deps.onSecret ?? (() => {}),
          },
          this.tokenPost(),
        );
        if (sharedKey !== null) this.singleUseOAuth.set(sharedKey, authenticator);
        return authenticator;
      }
      case "SessionTokenAuthenticator": {
        const login = this.requester(
          obj(node.login_requester, `${where}.login_requester`),
          `${where}.login_requester`,
          "login",
        );
        const reqAuth = obj(node.request_authentication, `${where}.request_authentication`);
        const use =
          reqAuth.type === "Bearer"
            ? ({ kind: "bearer" } as const)
            : ({
                kind: "api_key",
                option: requestOptionOf(
                  reqAuth.inject_into,
                  `${where}.request_authentication.inject_into`,
                ) as RequestOption,
                ctx,
                // api_token, "{{ session_token }}" by default (InterpolatedSessionTokenProvider).
                value:
                  typeof reqAuth.api_token === "string" && reqAuth.api_token !== "{{ session_token }}"
                    ? (token: string) => evalString(reqAuth.api_token, { ...ctx, session_token: token })
                    : (token: string) => token,
              } as const);
        const expiration = node.expiration_duration ? parseDuration(String(node.expiration_duration)) : null;
        return new SessionTokenAuthenticator(
          (signal) => login.fetchJson({ config: this.deps.config, parameters: params(node) }, signal),
          asArray(node.session_token_path).map(String),
          expiration ? expiration.months * 30 * 86_400_000 + expiration.micros / 1000 : null,
          use,
          this.deps.now,
          this.deps.onSecret ?? (() => {}),
        );
      }
      case "LegacySessionTokenAuthenticator": {
        const text = (v: unknown) => (v === undefined || v === null ? "" : s(v));
        return new LegacySessionTokenAuthenticator(
          {
            apiUrl: text(urlBase),
            header: text(node.header),
            sessionToken: text(node.session_token),
            username: text(node.username),
            password: text(node.password),
            responseKey: text(node.session_token_response_key),
            loginUrl: text(node.login_url),
            validateUrl: text(node.validate_session_url),
          },
          this.legacySessionHttp(),
          this.deps.onSecret ?? (() => {}),
        );
      }
      case "SelectiveAuthenticator": {
        const choices: Record<string, () => Authenticator> = {};
        const authenticators = isObj(node.authenticators) ? node.authenticators : {};
        for (const [k, v] of Object.entries(authenticators)) {
          choices[k] = () =>
            this.authenticator(
              obj(v, `${where}.authenticators.${k}`),
              `${where}.authenticators.${k}`,
              urlBase,
            );
        }
        return selectAuthenticator(
          this.deps.config,
          asArray(node.authenticator_selection_path).map(String),
          choices,
        );
      }
      default:
        return unsupported(node, where);
    }
  }

  /** The session check and login of LegacySessionTokenAuthenticator, through the runner's client. */
  private legacySessionHttp(): LegacySessionHttp {
    // A 4xx of the check is its answer (401: the token is not valid); 5xx and 429 are retried.
    const check = new DefaultErrorHandler({
      responseFilters: [
        new HttpResponseFilter({
          action: "IGNORE",
          httpCodes: Array.from({ length: 100 }, (_, i) => 400 + i).filter((c) => c !== 429),
        }),
      ],
    });
    const post = this.tokenPost();
    return {
      status: async (url, headers, signal) =>
        (await this.deps.client.send({ method: "GET", url, headers }, check, signal, "session check")).status,
      postJson: (url, body, signal) => post(url, { json: body }, {}, signal, "login"),
    };
  }

  /** Token requests go through the runner's client: the host map, timeouts and retries apply. */
  private tokenPost(): TokenPost {
    const handler = new DefaultErrorHandler({ responseFilters: [], backoffStrategies: [] });
    return async (url, body, headers, signal, what = "token refresh") => {
      const send = async (request: HttpRequest) =>
        (await this.deps.client.send(request, handler, signal, what)).json();
      if (body.json) {
        const json = JSON.stringify(body.json);
        return send({
          method: "POST",
          url,
          headers: { "Content-Type": "application/json", ...headers },
          body: json,
        });
      }
      const form = formEncodeMapping(body.form ?? body.query ?? {});
      return send(
        body.query
          ? { method: "POST", url: `${url}${url.includes("?") ? "&" : "?"}${form}`, headers }
          : {
              method: "POST",
              url,
              headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
              body: form,
            },
      );
    };
  }

  private errorHandler(node: unknown, where: string): ErrorHandler {
    if (node === undefined || node === null)
      return new DefaultErrorHandler({ responseFilters: [], backoffStrategies: [] });
    const n = obj(node, where);
    const ctx = this.ctx(n);
    switch (n.type) {
      case "CompositeErrorHandler":
        return new CompositeErrorHandler(
          asArray<Node>(n.error_handlers).map((h, i) =>
            this.errorHandler(h, `${where}.error_handlers[${i}]`),
          ),
        );
      case "DefaultErrorHandler": {
        const filters = asArray<Node>(n.response_filters).map((f) => {
          const predicate = typeof f.predicate === "string" && f.predicate !== "" ? f.predicate : null;
          const message =
            typeof f.error_message === "string" && f.error_message !== "" ? f.error_message : null;
          return new HttpResponseFilter({
            action: f.action ? (String(f.action) as never) : undefined,
            failureType: f.failure_type ? (String(f.failure_type) as never) : undefined,
            httpCodes: asArray(f.http_codes).map(Number),
            errorMessageContains: f.error_message_contains
              ? evalString(f.error_message_contains, ctx)
              : undefined,
            predicate: predicate ? (c) => evaluateBoolean(predicate, { ...ctx, ...c }) : undefined,
            errorMessage: message ? (c) => evalString(message, { ...ctx, ...c }) : undefined,
          });
        });
        const strategies = asArray<Node>(n.backoff_strategies).map((b, i) =>
          this.backoff(b, `${where}.backoff_strategies[${i}]`),
        );
        return new DefaultErrorHandler({
          responseFilters: filters,
          backoffStrategies: strategies,
          ...(n.max_retries !== undefined && n.max_retries !== null
            ? { maxRetries: maxRetriesOf(n.max_retries, ctx, `${where}.max_retries`) }
            : {}),
        });
      }
      default:
        return unsupported(n, where);
    }
  }

  private backoff(node: Node, where: string): BackoffStrategy {
    const ctx = this.ctx(node);
    const jitter = (n: Node) =>
      n.jitter_range_in_seconds === undefined
        ? {}
        : { jitterRangeSeconds: num(n.jitter_range_in_seconds, 0) };
    const num = (v: unknown, d: number) => {
      const x = Number(evalValue(v, ctx));
      return v === undefined || v === null || !Number.isFinite(x) ? d : x;
    };
    switch (node.type) {
      case "ExponentialBackoffStrategy":
        return new ExponentialBackoffStrategy(num(node.factor, 5), jitter(node));
      case "ConstantBackoffStrategy":
        return new ConstantBackoffStrategy(num(node.backoff_time_in_seconds, 5), jitter(node));
      case "WaitTimeFromHeader":
        return new WaitTimeFromHeader({
          header: evalString(node.header, ctx),
          ...(node.regex ? { regex: String(node.regex) } : {}),
          ...(node.max_waiting_time_in_seconds !== undefined
            ? { maxWaitingTimeSeconds: num(node.max_waiting_time_in_seconds, 0) }
            : {}),
        });
      case "WaitUntilTimeFromHeader":
        return new WaitUntilTimeFromHeader({
          header: evalString(node.header, ctx),
          ...(node.regex ? { regex: String(node.regex) } : {}),
          ...(node.min_wait !== undefined ? { minWait: num(node.min_wait, 0) } : {}),
          ...(node.max_waiting_time_in_seconds !== undefined
            ? { maxWaitingTimeSeconds: num(node.max_waiting_time_in_seconds, 0) }
            : {}),
        });
      default:
        return unsupported(node, where);
    }
  }

  private selector(
    node: Node,
    transformations: Transformation[],
    schema: Obj,
    clientSideIncremental: boolean,
  ): RecordSelector {
    const filter = isObj(node.record_filter) ? String(node.record_filter.condition ?? "") || null : null;
    return {
      extract: this.extractor(obj(node.extractor, "record_selector.extractor"), "record_selector.extractor"),
      filter,
      // RecordFilter's own $parameters (the stream's, propagated, plus any of its own).
      filterParameters: isObj(node.record_filter) ? params(node.record_filter) : null,
      // The CDK's create_record_selector: with a client-side incremental cursor, unset means true.
      transformFirst:
        typeof node.transform_before_filtering === "boolean"
          ? node.transform_before_filtering
          : clientSideIncremental,
      transformations,
      normalize: node.schema_normalization === "Default" ? normalizer(schema) : null,
    };
  }

  /**
   * LegacyToPerPartitionStateMigration: {"<partition value>": {"<cursor field>": value}} becomes
   * {"states": [{"partition": {"<partition field>": key}, "cursor": value}]} (should_migrate's rules).
   */
  private stateMigration(node: Node, retriever: Node, where: string): ((state: Obj) => Obj) | null {
    const migrations = asArray<Node>(node.state_migrations);
    if (migrations.length === 0) return null;
    const router = retriever.partition_router;
    const sync = node.incremental_sync;
    if (!isObj(router) || !isObj(sync) || sync.type !== "DatetimeBasedCursor")
      throw new DeclarativeError(
        `${where}: LegacyToPerPartitionStateMigration needs a SubstreamPartitionRouter or UnionPartitionRouter and a DatetimeBasedCursor.`,
      );
    const union = router.type === "UnionPartitionRouter";
    const configs = asArray<Node>(router.parent_stream_configs);
    const ctx = this.ctx(migrations[0] as Node);
    const partitionField = evalString(union ? router.partition_field : configs[0]?.partition_field, ctx);
    const cursorField = evalString(sync.cursor_field, ctx);
    const shouldMigrate = (state: Obj): boolean => {
      if ("states" in state) return false;
      if (!union && configs.length !== 1) return false;
      const entries = Object.entries(state);
      if (entries.length === 0) return false;
      return entries.every(
        ([, v]) => isObj(v) && Object.keys(v).length === 1 && Object.keys(v)[0] === cursorField,
      );
    };
    return (state) => {
      let out = state;
      for (const _ of migrations)
        if (shouldMigrate(out))
          out = {
            states: Object.entries(out).map(([key, value]) => ({
              partition: { [partitionField]: key },
              cursor: value,
            })),
          };
      return out;
    };
  }

  private paginationReset(
    retriever: Node,
    where: string,
  ): { action: "RESET" | "SPLIT_USING_CURSOR"; limit: number | null } {
    const node = retriever.pagination_reset as Node;
    const limits = isObj(node.limits) ? node.limits : null;
    const limit = limits && typeof limits.number_of_records === "number" ? limits.number_of_records : null;
    if (limit !== null && isObj(retriever.record_selector) && isObj(retriever.record_selector.record_filter))
      throw new DeclarativeError(
        `${where}: PaginationResetLimits are not supported while having record filter.`,
      );
    return { action: node.action === "SPLIT_USING_CURSOR" ? "SPLIT_USING_CURSOR" : "RESET", limit };
  }

  /** A DpathExtractor, with its record_expander. */
  private extractor(node: Node, where: string): Extractor {
    if (node.type !== "DpathExtractor") return unsupported(node, where);
    return dpathExtractor(asArray(node.field_path), this.recordExpander(node.record_expander));
  }

  private recordExpander(node: unknown): RecordExpander | null {
    if (!isObj(node)) return null;
    const ctx = this.ctx(node);
    return {
      path: asArray(node.expand_records_from_field).map((p) => evalString(p, ctx)),
      remainOriginalRecord: node.remain_original_record === true,
      emitParentWhenEmpty: node.on_no_records === "emit_parent",
    };
  }

  private transformation(node: Node, where: string): Transformation {
    const condition = typeof node.condition === "string" && node.condition !== "" ? node.condition : null;
    switch (node.type) {
      case "AddFields":
        return addFields(addedFieldsOf(node.fields), condition);
      case "RemoveFields":
        return removeFields(
          asArray<unknown[]>(node.field_pointers).map((p) => asArray(p).map(String)),
          condition,
        );
      case "KeysToLower":
        return keysToLower;
      case "KeysToSnakeCase":
        return keysToSnakeCase;
      case "KeysReplace":
        return keysReplace(String(node.old ?? ""), String(node.new ?? ""));
      case "FlattenFields":
        return flattenFields(node.flatten_lists !== false);
      case "DpathFlattenFields": {
        const kt = isObj(node.key_transformation) ? node.key_transformation : {};
        return dpathFlattenFields(
          asArray(node.field_path),
          node.delete_origin_value === true,
          node.replace_record === true,
          String(kt.prefix ?? ""),
          String(kt.suffix ?? ""),
        );
      }
      default:
        return unsupported(node, where);
    }
  }

  private paginator(node: Node, where: string, decoder: Decoder): Paginator {
    if (node.type === "NoPagination") return NO_PAGINATION;
    if (node.type !== "DefaultPaginator") return unsupported(node, where);
    if (!decoder.paginable) throw new DeclarativeError(unpaginableDecoderMessage(decoder, where));
    const s = obj(node.pagination_strategy, `${where}.pagination_strategy`);
    let strategy: PaginationStrategy;
    switch (s.type) {
      case "CursorPagination":
        strategy = new CursorPagination(
          String(s.cursor_value),
          s.stop_condition ? String(s.stop_condition) : null,
          s.page_size,
        );
        break;
      case "OffsetIncrement":
        strategy = new OffsetIncrement(s.page_size, s.inject_on_first_request === true);
        break;
      case "PageIncrement":
        strategy = new PageIncrement(
          s.page_size,
          s.start_from_page === undefined ? 0 : Number(s.start_from_page),
          s.inject_on_first_request === true,
        );
        break;
      default:
        return unsupported(s, `${where}.pagination_strategy`);
    }
    const tokenNode = node.page_token_option;
    const tokenOption = isObj(tokenNode)
      ? tokenNode.type === "RequestPath"
        ? "path"
        : requestOptionOf(tokenNode, `${where}.page_token_option`)
      : null;
    const sizeOption = isObj(node.page_size_option)
      ? requestOptionOf(node.page_size_option, `${where}.page_size_option`)
      : null;
    return new DefaultPaginator(strategy, tokenOption, sizeOption);
  }

  private router(node: unknown, where: string): PartitionRouter | null {
    if (node === undefined || node === null) return null;
    if (Array.isArray(node)) {
      const routers = node
        .map((n, i) => this.router(n, `${where}[${i}]`))
        .filter((r): r is PartitionRouter => r !== null);
      return routers.length === 1 ? (routers[0] as PartitionRouter) : new CartesianRouter(routers);
    }
    const n = obj(node, where);
    const ctx = this.ctx(n);
    switch (n.type) {
      case "ListPartitionRouter":
        return new ListRouter(
          n.values,
          String(n.cursor_field ?? ""),
          isObj(n.request_option) ? requestOptionOf(n.request_option, `${where}.request_option`) : null,
          ctx,
        );
      case "SubstreamPartitionRouter": {
        const configs: ParentConfig[] = asArray<Node>(n.parent_stream_configs).map((c, i) => {
          const at = `${where}.parent_stream_configs[${i}]`;
          if (c.incremental_dependency === true) this.incrementalDependency = true;
          return {
            // A parent is read without state, so a StateDelegatingStream parent is its full-refresh stream.
            parent: this.stream(
              this.chooseDelegate(obj(c.stream, `${at}.stream`), `${at}.stream`, undefined).node,
              `${at}.stream`,
            ),
            parentKey: String(c.parent_key ?? ""),
            partitionField: String(c.partition_field ?? ""),
            option: isObj(c.request_option)
              ? requestOptionOf(c.request_option, `${at}.request_option`)
              : null,
            extraFields: asArray<unknown[]>(c.extra_fields).map((p) => asArray(p)),
          };
        });
        return new SubstreamRouter(configs, ctx);
      }
      case "GroupingPartitionRouter": {
        const size = Number(n.group_size);
        if (!Number.isInteger(size) || size < 1)
          throw new DeclarativeError(
            `${where}: Group size must be greater than 0, got ${String(n.group_size)}`,
          );
        const under = obj(n.underlying_partition_router, `${where}.underlying_partition_router`);
        // create_grouping_partition_router: the grouped values are for templates, not request options.
        const withOption =
          under.type === "ListPartitionRouter"
            ? isObj(under.request_option)
            : asArray<Node>(under.parent_stream_configs).some((c) => isObj(c.request_option));
        if (withOption)
          throw new DeclarativeError(
            `${where}: Request options are not supported for GroupingPartitionRouter. Read the grouped values in a template instead, such as {{ stream_partition.<field> | join(',') }}.`,
          );
        const underlying = this.router(under, `${where}.underlying_partition_router`) as PartitionRouter;
        return new GroupingRouter(underlying, size, n.deduplicate !== false);
      }
      case "UnionPartitionRouter":
        // Its own requests carry no option of the routers under it (the CDK's get_request_params is {}).
        return new UnionRouter(
          evalString(n.partition_field, ctx),
          asArray<Node>(n.partition_routers).map(
            (r, i) => this.router(r, `${where}.partition_routers[${i}]`) as PartitionRouter,
          ),
        );
      case "CartesianProductStreamSlicer":
        return new CartesianRouter(
          asArray<Node>(n.stream_slicers).map(
            (s, i) => this.router(s, `${where}.stream_slicers[${i}]`) as PartitionRouter,
          ),
        );
      default:
        return unsupported(n, where);
    }
  }

  /**
   * StateDelegatingStream: the incremental stream when the stream has a saved state, else the
   * full-refresh one (the CDK's create_state_delegating_stream); past api_retention_period, a
   * saved cursor is too old for the API, and the stream is read in full again without it.
   */
  chooseDelegate(
    node: Node,
    where: string,
    state: unknown,
  ): { node: Node; keepState: boolean; warning?: string } {
    if (node.type !== "StateDelegatingStream") return { node, keepState: true };
    const ctx = this.ctx(node);
    const name = pyStr(evalString(node.name ?? "", ctx));
    const full = obj(node.full_refresh_stream, `${where}.full_refresh_stream`);
    const incremental = obj(node.incremental_stream, `${where}.incremental_stream`);
    const nameOf = (n: Node) => pyStr(evalString(n.name ?? params(n).name ?? "", this.ctx(n)));
    if (nameOf(full) !== name || nameOf(incremental) !== name)
      throw new DeclarativeError(
        `${where}: state_delegating_stream, full_refresh_stream name and incremental_stream must have equal names. Instead has ${name}, ${nameOf(full)} and ${nameOf(incremental)}.`,
      );
    const period = typeof node.api_retention_period === "string" ? node.api_retention_period : "";
    const sync = isObj(incremental.incremental_sync) ? incremental.incremental_sync : null;
    if (period && sync?.type === "IncrementingCountCursor")
      throw new DeclarativeError(
        `${where}: api_retention_period needs a datetime cursor; an IncrementingCountCursor has no date to compare with the retention period.`,
      );
    if (!isObj(state) || Object.keys(state).length === 0) return { node: full, keepState: false };
    if (period && sync) {
      const duration = parseDuration(period);
      if (!duration)
        throw new DeclarativeError(`${where}: api_retention_period '${period}' is not an ISO 8601 duration.`);
      const cursor = this.cursor(sync, `${where}.incremental_stream.incremental_sync`);
      // A per-partition state is dated by its global cursor.
      const saved = isObj(state.state) ? state.state : state;
      const raw = saved[cursor.field];
      const value = raw === undefined || raw === null ? null : cursor.stateValue(saved);
      if (raw !== undefined && raw !== null && value === null)
        throw new DeclarativeError(
          `${where}: the saved cursor value ${JSON.stringify(raw)} of stream ${name} is not a date the cursor can read.`,
        );
      const oldest = addDuration(this.deps.now().getTime() * 1000, duration, -1);
      if (value === null || value < oldest)
        return {
          node: full,
          keepState: false,
          warning: `Stream ${name}: the saved cursor value is older than the API's retention period (${period}); the stream is read in full again.`,
        };
    }
    return { node: incremental, keepState: true };
  }

  private counter(node: Node, where: string, stream: string, router: PartitionRouter | null): CountCursor {
    if (router)
      throw new DeclarativeError(
        `${where}: The low-code framework does not currently support usage of a PartitionRouter and an IncrementingCountCursor at the same time. Please specify only one of these options for stream ${stream}.`,
      );
    const option = isObj(node.start_value_option)
      ? (requestOptionOf(node.start_value_option, `${where}.start_value_option`) as RequestOption)
      : null;
    return new CountCursor(option, node.cursor_field, node.start_value, this.deps.config, params(node));
  }

  private cursor(node: Node, where: string): DatetimeCursor {
    if (node.type !== "DatetimeBasedCursor") return unsupported(node, where);
    const minMax = (v: unknown): MinMax | null => {
      if (v === undefined || v === null) return null;
      if (!isObj(v)) return { datetime: String(v), format: null, min: null, max: null };
      return {
        datetime: String(v.datetime ?? ""),
        format: v.datetime_format ? String(v.datetime_format) : null,
        min: v.min_datetime ? String(v.min_datetime) : null,
        max: v.max_datetime ? String(v.max_datetime) : null,
      };
    };
    const duration = (v: unknown, what: string) => {
      if (v === undefined || v === null || v === "") return null;
      const text = evalString(v, this.ctx(node));
      const d = parseDuration(text);
      if (!d)
        throw new DeclarativeError(
          `${where}.${what}: '${text}' is not an ISO 8601 duration such as P1D or PT1H.`,
          "config_error",
        );
      return d;
    };
    const start = minMax(node.start_datetime);
    if (!start) throw new DeclarativeError(`${where}: start_datetime is required.`);
    const option = (v: unknown, what: string) => (isObj(v) ? requestOptionOf(v, `${where}.${what}`) : null);
    return new DatetimeCursor(
      {
        cursorField: String(node.cursor_field ?? ""),
        datetimeFormat: String(node.datetime_format ?? "%Y-%m-%dT%H:%M:%S.%f%z"),
        cursorFormats: asArray(node.cursor_datetime_formats).map(String),
        start,
        end: minMax(node.end_datetime),
        step: duration(node.step, "step"),
        granularity: duration(node.cursor_granularity, "cursor_granularity"),
        lookback: duration(node.lookback_window, "lookback_window"),
        startOption: option(node.start_time_option, "start_time_option"),
        endOption: option(node.end_time_option, "end_time_option"),
        startKey: String(node.partition_field_start ?? "start_time"),
        endKey: String(node.partition_field_end ?? "end_time"),
        isDataFeed: node.is_data_feed === true,
        strict: node.is_compare_strictly === true,
        clientSide: node.is_client_side_incremental === true,
        globalSubstream: node.global_substream_cursor === true,
        parameters: params(node),
      },
      this.deps.config,
      this.deps.now,
    );
  }
}

function parseExpiry(text: string, format: string | null): number | null {
  if (!text) return null;
  const t = (format ? parseMicros(text, [format]) : null) ?? parseAnyMicros(text);
  return t === null ? null : t / 1000;
}

/** max_retries: a number, or a template rendered against the config (as the CDK does). */
function maxRetriesOf(v: unknown, ctx: Obj, where: string): number {
  const text = typeof v === "string" ? evalString(v, ctx).trim() : v;
  // An empty rendering (a config key left out) is refused, as the CDK's int("") is.
  const n = text === "" ? Number.NaN : Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new DeclarativeError(
      `${where}: '${String(v)}' is not a whole number of retries; check the config value it reads.`,
      "config_error",
    );
  return n;
}

function params(node: Node): Obj {
  return isObj(node.$parameters) ? node.$parameters : {};
}

function obj(v: unknown, where: string): Node {
  if (!isObj(v))
    throw new DeclarativeError(
      `${where}: expected a component (an object), got ${Array.isArray(v) ? "a list" : typeof v}.`,
    );
  return v;
}

function unsupported(node: Node, where: string): never {
  throw new DeclarativeError(
    `${where}: component type '${String(node.type)}' is not supported by the native runner.`,
  );
}

/**
 * The body, as InterpolatedRequestOptionsProvider._resolve_request_body reads `request_body` over
 * the older request_body_json and request_body_data: a form or plain text is body data, a JSON
 * object or a GraphQL query (its None keys dropped, the others such as `variables` kept) is the
 * JSON body. Plain text that reads as JSON (it starts with `[`, or `{` but not `{{` or `{%`) is the
 * JSON body too when it renders a dict, as the CDK's manifest migration makes it (the Connector
 * Builder wrote JSON bodies as plain text), and else the text as written, as the CDK sends plain
 * text without that migration.
 */
function requestBodies(
  node: Node,
  where: string,
): { bodyJson: unknown; bodyData: unknown; jsonOrText: boolean } {
  let bodyJson = node.request_body_json;
  let bodyData = node.request_body_data;
  let jsonOrText = false;
  const b = node.request_body;
  if (isObj(b)) {
    if (b.type === "RequestBodyUrlEncodedForm") bodyData = b.value;
    else if (b.type === "RequestBodyPlainText") {
      jsonOrText = isJsonLike(b.value);
      if (jsonOrText) bodyJson = b.value;
      else bodyData = b.value;
    } else if (b.type === "RequestBodyJsonObject") bodyJson = b.value;
    else if (b.type === "RequestBodyGraphQL" && isObj(b.value)) bodyJson = withoutNone(b.value);
  }
  if (truthy(bodyJson) && truthy(bodyData)) {
    throw new DeclarativeError(
      `${where}: RequestOptionsProvider should only contain either 'request_body_data' or 'request_body_json' not both. Keep one body: a JSON one or a form (or plain text) one.`,
      "config_error",
    );
  }
  return { bodyJson, bodyData, jsonOrText };
}

/** HttpRequesterRequestBodyPlainTextJsonToRequestBodyJson._is_json_like. */
function isJsonLike(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const s = value.trim();
  return s.startsWith("[") || (s.startsWith("{") && !s.startsWith("{{") && !s.startsWith("{%"));
}

/** primary_key: a name, a list of names, or a list of paths; the catalog wants paths. */
export function primaryKeyOf(pk: unknown): string[][] {
  if (pk === undefined || pk === null || pk === "") return [];
  if (typeof pk === "string") return [[pk]];
  if (!Array.isArray(pk)) return [];
  return pk.map((k) => (Array.isArray(k) ? k.map(String) : [String(k)]));
}
