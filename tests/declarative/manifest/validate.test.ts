// Validation of loaded manifests: what is refused, what is invalid, and that each problem names
// its place in the manifest as the author sees it.

import { describe, expect, test } from "bun:test";
import { stringify } from "yaml";
import {
  describeComponent,
  SUPPORTED_COMPONENTS,
  type SupportedComponent,
} from "../../../src/declarative/manifest/components.ts";
import {
  loadManifest,
  ManifestError,
  type ManifestProblem,
  manifestProblems,
} from "../../../src/declarative/manifest/load.ts";
import { propagateTypesAndParameters } from "../../../src/declarative/manifest/transform.ts";

type Obj = Record<string, unknown>;

/** A small valid manifest with two streams; `edit` changes it before loading. */
function manifest(edit: (m: { streams: Obj[] } & Obj) => void = () => {}): string {
  const stream = (name: string): Obj => ({
    type: "DeclarativeStream",
    name,
    primary_key: "id",
    retriever: {
      type: "SimpleRetriever",
      requester: { $ref: "#/definitions/requester", path: `/${name}` },
      record_selector: {
        type: "RecordSelector",
        extractor: { type: "DpathExtractor", field_path: ["data"] },
      },
      paginator: {
        type: "DefaultPaginator",
        pagination_strategy: { type: "OffsetIncrement", page_size: 100 },
        page_token_option: { type: "RequestOption", inject_into: "request_parameter", field_name: "offset" },
      },
    },
    schema_loader: { type: "InlineSchemaLoader", schema: { type: "object", properties: {} } },
  });
  const m = {
    version: "6.7.0",
    type: "DeclarativeSource",
    check: { type: "CheckStream", stream_names: ["users"] },
    definitions: {
      requester: {
        type: "HttpRequester",
        url_base: "https://api.example.com",
        authenticator: { type: "BearerAuthenticator", api_token: "{{ config['token'] }}" },
      },
    },
    streams: [stream("users"), stream("teams")],
    spec: { type: "Spec", connection_specification: { type: "object", properties: {} } },
  };
  edit(m);
  return stringify(m);
}

function thrown(run: () => unknown): ManifestError {
  try {
    run();
  } catch (error) {
    if (error instanceof ManifestError) return error;
    throw error;
  }
  throw new Error("expected a ManifestError");
}

function problemsOf(text: string): ManifestProblem[] {
  try {
    loadManifest(text, "test.yaml");
    return [];
  } catch (error) {
    if (error instanceof ManifestError) return [...error.problems];
    throw error;
  }
}

const retriever = (m: { streams: Obj[] }, i: number) => m.streams[i]?.retriever as Obj;
const paginator = (m: { streams: Obj[] }, i: number) => retriever(m, i).paginator as Obj;

describe("a valid manifest", () => {
  test("loads, with shared definitions resolved into each stream", () => {
    const loaded = loadManifest(manifest(), "test.yaml") as { streams: Obj[] };
    expect(loaded.streams.map((s) => s.name)).toEqual(["users", "teams"]);
    expect(loaded.streams[1]?.retriever).toHaveProperty("requester", {
      type: "HttpRequester",
      url_base: "https://api.example.com",
      authenticator: { type: "BearerAuthenticator", api_token: "{{ config['token'] }}" },
      path: "/teams",
    });
  });

  test("every supported component type is used by some position of the schemas", () => {
    // Nothing in SUPPORTED_COMPONENTS is unreachable from the top level.
    const reachable = new Set<SupportedComponent>(["DeclarativeSource"]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const name of [...reachable])
        for (const slots of Object.values(describeComponent(name).slots))
          for (const slot of slots)
            for (const t of slot.supported)
              if (!reachable.has(t)) {
                reachable.add(t);
                grew = true;
              }
    }
    expect([...reachable].sort()).toEqual([...SUPPORTED_COMPONENTS].sort());
  });
});

describe("invalid manifests: each problem names its path", () => {
  test("a wrong property type, with the stream's name in the path", () => {
    const problems = problemsOf(
      manifest((m) => {
        (paginator(m, 1).pagination_strategy as Obj).page_size = { size: 10 };
      }),
    );
    expect(problems).toEqual([
      {
        path: "streams[1] (teams).retriever.paginator.pagination_strategy.page_size",
        type: "OffsetIncrement",
        message: "expected an integer or an interpolated string, got object",
        kind: "invalid",
      },
    ]);
  });

  test("a missing required property, an enum, a wrong list item", () => {
    const problems = problemsOf(
      manifest((m) => {
        delete (paginator(m, 0).pagination_strategy as Obj).page_size;
        paginator(m, 0).pagination_strategy = { type: "CursorPagination" };
        (paginator(m, 0).page_token_option as Obj).inject_into = "query";
        ((retriever(m, 1).record_selector as Obj).extractor as Obj).field_path = ["data", 3];
      }),
    );
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "streams[0] (users).retriever.paginator.pagination_strategy.cursor_value: required property is missing",
      'streams[0] (users).retriever.paginator.page_token_option.inject_into: expected one of "request_parameter", "header", "body_data", "body_json", got "query"',
      "streams[1] (teams).retriever.record_selector.extractor.field_path[1]: expected a string, got integer",
    ]);
  });

  test("a component type not allowed at its position, an unknown type, a missing type", () => {
    const problems = problemsOf(
      manifest((m) => {
        paginator(m, 0).pagination_strategy = {
          type: "RequestOption",
          inject_into: "header",
          field_name: "x",
        };
        paginator(m, 1).pagination_strategy = { type: "OffsetIncrementt", page_size: 10 };
        (paginator(m, 1) as Obj).page_token_option = { inject_into: "header", field_name: "x" };
      }),
    );
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "streams[0] (users).retriever.paginator.pagination_strategy: component type 'RequestOption' is not allowed here; expected PageIncrement or OffsetIncrement or CursorPagination",
      "streams[1] (teams).retriever.paginator.pagination_strategy: unknown component type 'OffsetIncrementt'; expected PageIncrement or OffsetIncrement or CursorPagination",
      "streams[1] (teams).retriever.paginator.page_token_option: missing component type; expected RequestOption or RequestPath",
    ]);
  });

  test("a string or a component: the component's own problem is reported", () => {
    const problems = problemsOf(
      manifest((m) => {
        m.streams[0] = {
          ...m.streams[0],
          incremental_sync: {
            type: "DatetimeBasedCursor",
            cursor_field: "updated_at",
            datetime_format: "%s",
            start_datetime: { type: "MinMaxDatetime", datetime: 1700000000 },
          },
        };
      }),
    );
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "streams[0] (users).incremental_sync.start_datetime.datetime: expected a string, got integer",
    ]);
  });

  test("checks the CDK makes when it builds components (RequestOption, ApiKeyAuthenticator, step)", () => {
    const problems = problemsOf(
      manifest((m) => {
        paginator(m, 0).page_token_option = {
          type: "RequestOption",
          inject_into: "header",
          field_path: ["a", "b"],
        };
        (m.definitions as { requester: Obj }).requester.authenticator = {
          type: "ApiKeyAuthenticator",
          api_token: "t",
        };
        m.streams[1] = {
          ...m.streams[1],
          incremental_sync: {
            type: "DatetimeBasedCursor",
            cursor_field: "u",
            datetime_format: "%s",
            start_datetime: "0",
            step: "P1D",
          },
        };
      }),
    );
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "streams[0] (users).retriever.requester.authenticator: Expected either inject_into or header to be set for ApiKeyAuthenticator",
      "streams[0] (users).retriever.paginator.page_token_option.field_path: Nested field injection is only supported for body JSON injection; use a top-level field_name",
      "streams[1] (teams).retriever.requester.authenticator: Expected either inject_into or header to be set for ApiKeyAuthenticator",
      "streams[1] (teams).incremental_sync: If step is defined, cursor_granularity should be as well and vice-versa. Right now, step is `P1D` and cursor_granularity is `None`",
    ]);
  });

  test("a page size option needs a page size to send (DefaultPaginator.__post_init__)", () => {
    const option = { type: "RequestOption", inject_into: "request_parameter", field_name: "limit" };
    const problems = problemsOf(
      manifest((m) => {
        paginator(m, 0).page_size_option = option;
        paginator(m, 0).pagination_strategy = { type: "OffsetIncrement" };
        paginator(m, 1).page_size_option = option; // with OffsetIncrement's page_size: 100
      }),
    );
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "streams[0] (users).retriever.paginator.page_size_option: page_size_option cannot be set if the pagination strategy does not have a page_size",
    ]);
  });

  test("the top level: required properties, unknown properties, no streams", () => {
    const problems = problemsOf(
      manifest((m) => {
        delete m.version;
        m.streams = [];
        m.extra = 1;
      }),
    );
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "version: required property is missing",
      "extra: unknown property (not allowed here)",
      "streams: a manifest needs at least one stream",
    ]);
  });

  test("unknown extra properties of components are accepted, as the CDK schema does", () => {
    expect(
      problemsOf(
        manifest((m) => {
          retriever(m, 0).description = "the users";
          m.streams[0] = { ...m.streams[0], some_future_property: { a: 1 } };
        }),
      ),
    ).toEqual([]);
  });

  test("$parameters that are not an object", () => {
    const problems = problemsOf(
      manifest((m) => Object.assign(m.streams[0] as Obj, { $parameters: ["name"] })),
    );
    expect(problems).toEqual([
      {
        path: "streams[0] (users).$parameters",
        type: "",
        message: "$parameters must be an object, got array",
        kind: "invalid",
      },
    ]);
  });

  test("the error lists the first few problems and counts the rest", () => {
    const text = manifest((m) => {
      for (const s of m.streams) delete (s as Obj).retriever;
      m.streams.push(...m.streams.map((s) => ({ ...s, name: `${s.name}2` })), { name: "x" }, { name: "y" });
    });
    const e = thrown(() => loadManifest(text, "many.yaml"));
    expect(e.problems).toHaveLength(6);
    expect(e.message).toBe(
      [
        "many.yaml: 6 problems:",
        "  - streams[0] (users).retriever: required property is missing",
        "  - streams[1] (teams).retriever: required property is missing",
        "  - streams[2] (users2).retriever: required property is missing",
        "  - streams[3] (teams2).retriever: required property is missing",
        "  - streams[4] (x).retriever: required property is missing",
        "  … and 1 more problem",
      ].join("\n"),
    );
    expect(e.path).toBe("streams[0] (users).retriever");
    expect(e.hint).toContain("declarative_component_schema.yaml");
  });
});

describe("what the native runner refuses", () => {
  test("a custom component, with or without its type written out", () => {
    const problems = problemsOf(
      manifest((m) => {
        (m.definitions as { requester: Obj }).requester.authenticator = {
          class_name: "source_x.components.Auth",
        };
        paginator(m, 1).pagination_strategy = {
          type: "CustomPaginationStrategy",
          class_name: "source_x.components.Pages",
        };
      }),
    );
    expect(problems).toEqual([
      {
        path: "streams[0] (users).retriever.requester.authenticator",
        type: "CustomAuthenticator",
        message:
          "custom component 'source_x.components.Auth' is Python code (components.py); the native runner cannot run it. Use override_execution_mode 'python' or 'docker'.",
        kind: "custom",
      },
      {
        path: "streams[1] (teams).retriever.requester.authenticator",
        type: "CustomAuthenticator",
        message:
          "custom component 'source_x.components.Auth' is Python code (components.py); the native runner cannot run it. Use override_execution_mode 'python' or 'docker'.",
        kind: "custom",
      },
      {
        path: "streams[1] (teams).retriever.paginator.pagination_strategy",
        type: "CustomPaginationStrategy",
        message:
          "custom component 'source_x.components.Pages' is Python code (components.py); the native runner cannot run it. Use override_execution_mode 'python' or 'docker'.",
        kind: "custom",
      },
    ]);
  });

  test("a custom component where the CDK has no custom type (class_name only) is still refused as custom", () => {
    const problems = problemsOf(
      manifest((m) => {
        m.streams[0] = { ...m.streams[0], incremental_sync: { class_name: "source_x.components.Cursor" } };
      }),
    );
    expect(problems.map((p) => [p.path, p.kind])).toEqual([
      ["streams[0] (users).incremental_sync", "custom"],
    ]);
  });

  test("CDK components the runner does not implement: unsupported component type", () => {
    const problems = problemsOf(
      manifest((m) => {
        const template = structuredClone(m.streams[0]);
        m.streams[1] = { ...m.streams[1], schema_loader: { type: "JsonFileSchemaLoader" } };
        m.streams[0] = { ...m.streams[0], file_uploader: { type: "FileUploader" } };
        m.dynamic_streams = [
          {
            type: "DynamicDeclarativeStream",
            stream_template: template,
            components_resolver: {
              type: "HttpComponentsResolver",
              retriever: { type: "CustomRetriever", class_name: "source_x.components.Resolver" },
              components_mapping: [],
            },
          },
        ];
      }),
    );
    expect(problems.map((p) => `${p.path}: ${p.message} [${p.kind} ${p.type}]`)).toEqual([
      "streams[0] (users).file_uploader: unsupported component type 'FileUploader' [unsupported FileUploader]",
      "streams[1] (teams).schema_loader: unsupported component type 'JsonFileSchemaLoader' [unsupported JsonFileSchemaLoader]",
      "dynamic_streams[0].components_resolver.retriever: custom component 'source_x.components.Resolver' is Python code (components.py); the native runner cannot run it. Use override_execution_mode 'python' or 'docker'. [custom CustomRetriever]",
    ]);
    const e = thrown(() =>
      loadManifest(
        manifest(
          (m) => (m.streams[1] = { ...m.streams[1], schema_loader: { type: "JsonFileSchemaLoader" } }),
        ),
        "a.yaml",
      ),
    );
    expect(e.message).toBe(
      "a.yaml: streams[1] (teams).schema_loader: unsupported component type 'JsonFileSchemaLoader'",
    );
    expect(e.hint).toContain("override_execution_mode 'python' or 'docker'");
  });

  test("where a value or a component may stand, a refused component and a wrong value are told apart", () => {
    const problems = problemsOf(
      manifest((m) => {
        retriever(m, 0).requester = {
          $ref: "#/definitions/requester",
          // A component where a value may stand (QueryProperties) is fine; a wrong value is not.
          request_parameters: { limit: 100, fields: { type: "QueryProperties", property_list: ["a"] } },
        };
        retriever(m, 1).record_selector = {
          type: "RecordSelector",
          extractor: { type: "DpathExtractor", field_path: [] },
          schema_normalization: { type: "CustomSchemaNormalization", class_name: "x.Normalize" },
        };
      }),
    );
    expect(problems.map((p) => `${p.path}: ${p.message} [${p.kind}]`)).toEqual([
      "streams[0] (users).retriever.requester.request_parameters.limit: expected a string (request parameter values are strings or interpolated strings), got integer [invalid]",
      "streams[1] (teams).retriever.record_selector.schema_normalization: custom component 'x.Normalize' is Python code (components.py); the native runner cannot run it. Use override_execution_mode 'python' or 'docker'. [custom]",
    ]);
  });

  test("a schema loader that reads files the manifest does not ship", () => {
    const problems = problemsOf(manifest((m) => Object.assign(m.streams[0] as Obj, { schema_loader: {} })));
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "streams[0] (users).schema_loader: unsupported component type 'JsonFileSchemaLoader'",
    ]);
  });

  test("CDK properties the runner does not implement are refused when set, accepted when empty", () => {
    const edit = (lazy: unknown) =>
      manifest((m) => {
        retriever(m, 1).partition_router = {
          type: "SubstreamPartitionRouter",
          parent_stream_configs: [
            {
              type: "ParentStreamConfig",
              stream: "#/streams/0",
              parent_key: "id",
              partition_field: "user_id",
              lazy_read_pointer: lazy,
            },
          ],
        };
      });
    expect(problemsOf(edit([]))).toEqual([]);
    expect(problemsOf(edit(["items"]))).toEqual([
      {
        path: "streams[1] (teams).retriever.partition_router.parent_stream_configs[0].lazy_read_pointer",
        type: "ParentStreamConfig.lazy_read_pointer",
        message:
          "unsupported property: reading child records from the parent record (ParentStreamConfig.lazy_read_pointer)",
        kind: "unsupported",
      },
    ]);
  });

  test("manifestProblems reports every problem of an already resolved manifest", () => {
    const resolved = propagateTypesAndParameters(
      "",
      {
        type: "DeclarativeSource",
        version: "1",
        check: { stream_names: ["a"] },
        streams: [
          {
            name: "a",
            retriever: { requester: {}, record_selector: { extractor: { field_path: [] } } },
            schema_loader: { type: "JsonFileSchemaLoader" },
          },
          {
            name: "b",
            retriever: {
              requester: { class_name: "x.Y" },
              record_selector: { extractor: { field_path: [] } },
            },
          },
        ],
      },
      {},
    );
    expect(manifestProblems(resolved).map((p) => [p.path, p.kind])).toEqual([
      ["streams[0] (a).schema_loader", "unsupported"],
      ["streams[1] (b).retriever.requester", "custom"],
    ]);
  });
});
