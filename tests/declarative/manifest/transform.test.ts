// Type inference and $parameters propagation: the expectations of the CDK's
// test_manifest_component_transformer.py, adapted.

import { describe, expect, test } from "bun:test";
import { propagateTypesAndParameters } from "../../../src/declarative/manifest/transform.ts";

const propagate = (component: Record<string, unknown>, useParentParameters?: boolean) =>
  propagateTypesAndParameters("", component, {}, useParentParameters);

describe("default types (CDK test_find_default_types)", () => {
  test("a stream's retriever and schema loader", () => {
    expect(
      propagate({
        type: "DeclarativeSource",
        streams: [{ type: "DeclarativeStream", retriever: {}, schema_loader: {} }],
      }),
    ).toEqual({
      type: "DeclarativeSource",
      streams: [
        {
          type: "DeclarativeStream",
          retriever: { type: "SimpleRetriever" },
          schema_loader: { type: "JsonFileSchemaLoader" },
        },
      ],
    });
  });

  test("a simple retriever's paginator, record selector and requester", () => {
    expect(
      propagate({
        type: "DeclarativeStream",
        retriever: { type: "SimpleRetriever", paginator: {}, record_selector: {}, requester: {} },
      }),
    ).toEqual({
      type: "DeclarativeStream",
      retriever: {
        type: "SimpleRetriever",
        paginator: { type: "NoPagination" },
        record_selector: { type: "RecordSelector" },
        requester: { type: "HttpRequester" },
      },
    });
  });

  test("a requester's error handler; a paginator's page size option but not its token option", () => {
    expect(
      propagate({ type: "DeclarativeStream", requester: { type: "HttpRequester", error_handler: {} } }),
    ).toEqual({
      type: "DeclarativeStream",
      requester: { type: "HttpRequester", error_handler: { type: "DefaultErrorHandler" } },
    });
    expect(
      propagate({
        type: "SimpleRetriever",
        paginator: { type: "DefaultPaginator", page_size_option: {}, page_token_option: {} },
      }),
    ).toEqual({
      type: "SimpleRetriever",
      paginator: {
        type: "DefaultPaginator",
        page_size_option: { type: "RequestOption" },
        page_token_option: {},
      },
    });
  });

  test("list items: parent stream configs", () => {
    expect(
      propagate({
        type: "SimpleRetriever",
        partition_router: { type: "SubstreamPartitionRouter", parent_stream_configs: [{}, {}, {}] },
      }),
    ).toEqual({
      type: "SimpleRetriever",
      partition_router: {
        type: "SubstreamPartitionRouter",
        parent_stream_configs: [
          { type: "ParentStreamConfig" },
          { type: "ParentStreamConfig" },
          { type: "ParentStreamConfig" },
        ],
      },
    });
  });

  test("the top level's check, spec and streams, and deeper defaults", () => {
    const out = propagate({
      type: "DeclarativeSource",
      check: { stream_names: ["a"] },
      spec: { connection_specification: {} },
      streams: [
        {
          retriever: {
            record_selector: { extractor: { field_path: [] }, record_filter: { condition: "x" } },
          },
          incremental_sync: {
            type: "DatetimeBasedCursor",
            start_datetime: { datetime: "2020" },
            start_time_option: { inject_into: "header", field_name: "from" },
          },
          transformations: [{ type: "AddFields", fields: [{ path: ["a"], value: "1" }] }],
        },
      ],
    });
    expect(out).toMatchObject({
      check: { type: "CheckStream" },
      spec: { type: "Spec" },
      streams: [
        {
          type: "DeclarativeStream",
          retriever: {
            type: "SimpleRetriever",
            record_selector: {
              type: "RecordSelector",
              extractor: { type: "DpathExtractor" },
              record_filter: { type: "RecordFilter" },
            },
          },
          incremental_sync: {
            start_datetime: { type: "MinMaxDatetime" },
            start_time_option: { type: "RequestOption" },
          },
          transformations: [{ fields: [{ type: "AddedFieldDefinition" }] }],
        },
      ],
    });
  });

  test("an explicit type is kept", () => {
    expect(propagate({ type: "SimpleRetriever", paginator: { type: "DefaultPaginator" } })).toEqual({
      type: "SimpleRetriever",
      paginator: { type: "DefaultPaginator" },
    });
  });
});

describe("custom components (CDK test_transform_custom_components)", () => {
  test("class_name without type gets the field's custom type", () => {
    expect(
      propagate({
        type: "SimpleRetriever",
        requester: {
          type: "HttpRequester",
          authenticator: { class_name: "source_greenhouse.components.NewAuthenticator" },
        },
      }),
    ).toEqual({
      type: "SimpleRetriever",
      requester: {
        type: "HttpRequester",
        authenticator: {
          type: "CustomAuthenticator",
          class_name: "source_greenhouse.components.NewAuthenticator",
        },
      },
    });
    expect(
      propagate({
        type: "SimpleRetriever",
        record_selector: {
          type: "RecordSelector",
          extractor: { class_name: "source_greenhouse.components.NewRecordExtractor" },
        },
      }),
    ).toEqual({
      type: "SimpleRetriever",
      record_selector: {
        type: "RecordSelector",
        extractor: {
          type: "CustomRecordExtractor",
          class_name: "source_greenhouse.components.NewRecordExtractor",
        },
      },
    });
  });

  test("class_name at a field without a custom type stays untyped (not the default type)", () => {
    expect(propagate({ type: "SimpleRetriever", record_selector: { class_name: "x.Y" } })).toEqual({
      type: "SimpleRetriever",
      record_selector: { class_name: "x.Y" },
    });
  });
});

describe("$parameters", () => {
  test("propagate to every component below, becoming fields unless the field is set", () => {
    const parameters = { name: "roasters", primary_key: "id" };
    const actual = propagate({
      type: "DeclarativeSource",
      streams: [
        {
          type: "DeclarativeStream",
          $parameters: parameters,
          retriever: {
            type: "SimpleRetriever",
            record_selector: {
              type: "RecordSelector",
              extractor: { type: "DpathExtractor", field_path: [] },
            },
            requester: {
              type: "HttpRequester",
              name: '{{ parameters["name"] }}',
              url_base: "https://coffee.example.io/v1/",
              http_method: "GET",
            },
          },
        },
      ],
    });
    expect(actual).toEqual({
      type: "DeclarativeSource",
      streams: [
        {
          type: "DeclarativeStream",
          retriever: {
            type: "SimpleRetriever",
            name: "roasters",
            primary_key: "id",
            record_selector: {
              type: "RecordSelector",
              extractor: { type: "DpathExtractor", field_path: [], ...parameters, $parameters: parameters },
              ...parameters,
              $parameters: parameters,
            },
            requester: {
              type: "HttpRequester",
              name: '{{ parameters["name"] }}',
              url_base: "https://coffee.example.io/v1/",
              http_method: "GET",
              primary_key: "id",
              $parameters: parameters,
            },
            $parameters: parameters,
          },
          ...parameters,
          $parameters: parameters,
        },
      ],
    });
  });

  test("a component's own parameters win over its parent's", () => {
    const actual = propagate({
      type: "DeclarativeStream",
      retriever: {
        type: "SimpleRetriever",
        requester: {
          type: "HttpRequester",
          name: "high_priority",
          url_base: "https://coffee.example.io/v1/",
          http_method: "GET",
          primary_key: "id",
          $parameters: { name: "high_priority" },
        },
        $parameters: { name: "low_priority" },
      },
    });
    expect(actual).toEqual({
      type: "DeclarativeStream",
      retriever: {
        type: "SimpleRetriever",
        name: "low_priority",
        requester: {
          type: "HttpRequester",
          name: "high_priority",
          url_base: "https://coffee.example.io/v1/",
          http_method: "GET",
          primary_key: "id",
          $parameters: { name: "high_priority" },
        },
        $parameters: { name: "low_priority" },
      },
    });
  });

  test("with useParentParameters the parent's win (as for dynamic streams)", () => {
    const component = {
      type: "DeclarativeStream",
      retriever: { type: "SimpleRetriever", $parameters: { name: "retriever_name" } },
      $parameters: { name: "parent_name" },
    };
    expect(propagate(component, false)).toMatchObject({ retriever: { name: "retriever_name" } });
    expect(propagate(component, true)).toMatchObject({ retriever: { name: "parent_name" } });
  });

  test("a parameter named like a field is not passed into that field", () => {
    const schemaLoader = {
      type: "JsonFileSchemaLoader",
      file_path: './source_coffee/schemas/{{ parameters["name"] }}.json',
    };
    const actual = propagate({
      type: "DeclarativeStream",
      streams: [
        {
          type: "DeclarativeStream",
          $parameters: { name: "roasters", primary_key: "id", schema_loader: schemaLoader },
        },
      ],
    });
    expect(actual).toEqual({
      type: "DeclarativeStream",
      streams: [
        {
          type: "DeclarativeStream",
          name: "roasters",
          primary_key: "id",
          schema_loader: {
            ...schemaLoader,
            name: "roasters",
            primary_key: "id",
            $parameters: { name: "roasters", primary_key: "id" },
          },
          $parameters: { name: "roasters", primary_key: "id", schema_loader: schemaLoader },
        },
      ],
    });
  });

  test("no parameters anywhere leaves the component unchanged", () => {
    const component = {
      type: "DeclarativeStream",
      retriever: {
        type: "SimpleRetriever",
        record_selector: { type: "RecordSelector", extractor: { type: "DpathExtractor", field_path: [] } },
      },
    };
    expect(propagate(component)).toEqual(component);
  });

  test("only typed components get parameters as fields; plain dicts keep their fields", () => {
    const actual = propagate({
      type: "ParentComponent",
      component_with_object_properties: {
        type: "TestComponent",
        subcomponent: {
          type: "TestSubComponent",
          some_field: "high_priority",
          $parameters: { some_option: "already" },
        },
        dictionary_field: { details: "should_not_contain_parameters", other: "no_parameters_as_fields" },
        $parameters: { included: "not!" },
      },
    });
    expect(actual).toEqual({
      type: "ParentComponent",
      component_with_object_properties: {
        type: "TestComponent",
        subcomponent: {
          type: "TestSubComponent",
          some_field: "high_priority",
          some_option: "already",
          included: "not!",
          $parameters: { some_option: "already", included: "not!" },
        },
        dictionary_field: { details: "should_not_contain_parameters", other: "no_parameters_as_fields" },
        included: "not!",
        $parameters: { included: "not!" },
      },
    });
  });

  test("JSON schemas (type object) get no parameters", () => {
    const schema = {
      type: "object",
      $schema: "http://json-schema.org/schema#",
      properties: { id: { type: "string" } },
    };
    const actual = propagate({
      type: "DeclarativeStream",
      schema_loader: { type: "InlineSchemaLoader", schema },
      $parameters: { name: "roasters", primary_key: "id" },
    });
    expect(actual.schema_loader).toEqual({
      type: "InlineSchemaLoader",
      schema,
      name: "roasters",
      primary_key: "id",
      $parameters: { name: "roasters", primary_key: "id" },
    });
  });

  test("typed components inside untyped dicts get the parameters too", () => {
    const actual = propagate({
      type: "HttpRequester",
      request_parameters: { properties: { type: "QueryProperties", property_list: ["a"] }, plain: "x" },
      $parameters: { entity: "test_entity" },
    });
    expect(actual.request_parameters).toEqual({
      properties: {
        type: "QueryProperties",
        property_list: ["a"],
        entity: "test_entity",
        $parameters: { entity: "test_entity" },
      },
      plain: "x",
    });
  });

  test("a falsy field takes the parameter (Python's `or`)", () => {
    const actual = propagate({
      type: "DeclarativeStream",
      name: "",
      primary_key: [],
      $parameters: { name: "users", primary_key: "id" },
    });
    expect(actual).toMatchObject({ name: "users", primary_key: "id" });
  });

  test("stream_groups values are StreamGroups whose streams are DeclarativeStreams", () => {
    const actual = propagate({
      type: "DeclarativeSource",
      streams: [],
      stream_groups: {
        api: { streams: [{ $parameters: { name: "posts" }, retriever: { type: "SimpleRetriever" } }] },
      },
    });
    expect(actual).toMatchObject({
      stream_groups: {
        api: {
          type: "StreamGroup",
          streams: [{ type: "DeclarativeStream", name: "posts", retriever: { name: "posts" } }],
        },
      },
    });
  });

  test("the input is not modified", () => {
    const input = { type: "DeclarativeStream", retriever: {}, $parameters: { name: "a" } };
    const before = structuredClone(input);
    propagate(input);
    expect(input).toEqual(before);
  });
});
