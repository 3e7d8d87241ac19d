// Built-in source-faker: Airbyte's demo source (streams users, products, purchases, with its
// fields), run in-process with nothing to install. Deterministic for a given seed; incremental by
// updated_at. It emits the same Airbyte messages a connector process would.

import type { AirbyteMessage, ConfiguredAirbyteCatalog } from "../protocol.ts";

export interface FakerConfig {
  count: number;
  seed: number;
  records_per_slice: number;
  always_updated: boolean;
}

export const FAKER_SPEC = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "Faker Source Spec",
  type: "object",
  required: [],
  additionalProperties: true,
  properties: {
    count: {
      title: "Count",
      type: "integer",
      minimum: 1,
      default: 1000,
      description: "How many users to generate (products are fixed, purchases follow users).",
    },
    seed: {
      title: "Seed",
      type: "integer",
      default: -1,
      description: "Seed for reproducible data; -1 means a fixed default seed here.",
    },
    records_per_slice: {
      title: "Records per stream slice",
      type: "integer",
      minimum: 1,
      default: 1000,
      description: "How many records between two STATE messages.",
    },
    always_updated: {
      title: "Always updated",
      type: "boolean",
      default: true,
      description: "Give every record a new updated_at on each sync, so incremental syncs return data.",
    },
  },
} as const;

const ts = { type: ["null", "string"], format: "date-time", airbyte_type: "timestamp_with_timezone" };
const str = { type: ["null", "string"] };
const int = { type: ["null", "integer"] };
const num = { type: ["null", "number"] };

export const FAKER_STREAMS = [
  {
    name: "users",
    json_schema: {
      type: "object",
      properties: {
        id: { type: "integer" },
        created_at: ts,
        updated_at: ts,
        name: str,
        title: str,
        age: int,
        email: str,
        telephone: str,
        gender: str,
        language: str,
        academic_degree: str,
        nationality: str,
        occupation: str,
        height: str,
        blood_type: str,
        weight: int,
        address: {
          type: ["null", "object"],
          properties: {
            street_number: str,
            street_name: str,
            city: str,
            state: str,
            province: str,
            postal_code: str,
            country_code: str,
          },
        },
      },
    },
  },
  {
    name: "products",
    json_schema: {
      type: "object",
      properties: {
        id: { type: "integer" },
        make: str,
        model: str,
        year: int,
        price: num,
        created_at: ts,
        updated_at: ts,
      },
    },
  },
  {
    name: "purchases",
    json_schema: {
      type: "object",
      properties: {
        id: { type: "integer" },
        user_id: int,
        product_id: int,
        created_at: ts,
        updated_at: ts,
        added_to_cart_at: ts,
        purchased_at: ts,
        returned_at: ts,
      },
    },
  },
].map((s) => ({
  ...s,
  supported_sync_modes: ["full_refresh", "incremental"] as ("full_refresh" | "incremental")[],
  source_defined_cursor: true,
  default_cursor_field: ["updated_at"],
  source_defined_primary_key: [["id"]],
  is_resumable: true,
}));

export function fakerConfig(raw: Record<string, unknown> | undefined): FakerConfig {
  const n = (k: string, d: number) =>
    typeof raw?.[k] === "number" && Number.isInteger(raw[k]) ? (raw[k] as number) : d;
  return {
    count: Math.max(1, n("count", 1000)),
    seed: n("seed", -1),
    records_per_slice: Math.max(1, n("records_per_slice", 1000)),
    always_updated: raw?.always_updated !== false,
  };
}

/** mulberry32: small, fast, and the same sequence for the same seed on every platform. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  "Ada",
  "Grace",
  "Alan",
  "Linus",
  "Margaret",
  "Ken",
  "Barbara",
  "Dennis",
  "Frances",
  "Guido",
  "Radia",
  "Tim",
];
const LAST = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Torvalds",
  "Hamilton",
  "Thompson",
  "Liskov",
  "Ritchie",
  "Allen",
  "Rossum",
  "Perlman",
  "Berners-Lee",
];
const TITLES = ["Mr.", "Ms.", "Dr.", "Mx.", "Prof."];
const GENDERS = ["Female", "Male", "Non-binary", "Other"];
const LANGS = ["English", "French", "German", "Spanish", "Japanese", "Swahili", "Hindi", "Portuguese"];
const DEGREES = ["Bachelor", "Master", "PhD", "None"];
const NATIONS = ["British", "French", "German", "Kenyan", "Japanese", "Brazilian", "Indian", "Canadian"];
const JOBS = ["Engineer", "Teacher", "Nurse", "Designer", "Chef", "Pilot", "Farmer", "Librarian"];
const BLOOD = ["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"];
const CITIES = ["Springfield", "Riverside", "Fairview", "Madison", "Georgetown", "Salem"];
const STATES = ["CA", "NY", "TX", "WA", "IL", "MA"];
const MAKES = ["Mazda", "Ford", "Toyota", "Honda", "Volvo", "Fiat", "Kia", "Tesla", "BMW", "Audi"];
const MODELS = ["MX-5", "Focus", "Corolla", "Civic", "XC90", "Panda", "Rio", "Model 3", "i3", "A4"];
const PRODUCT_COUNT = 100;
const BASE_TIME = Date.UTC(2024, 0, 1);

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const iso = (ms: number) => new Date(ms).toISOString();

function user(id: number, r: () => number, now: number) {
  const created = BASE_TIME + Math.floor(r() * 300 * 86_400_000);
  const first = pick(r, FIRST);
  const last = pick(r, LAST);
  return {
    id,
    created_at: iso(created),
    updated_at: iso(now + id),
    name: `${first} ${last}`,
    title: pick(r, TITLES),
    age: 18 + Math.floor(r() * 70),
    email: `${first}.${last}.${id}@example.com`.toLowerCase(),
    telephone: `+1-555-${String(Math.floor(r() * 10_000)).padStart(4, "0")}`,
    gender: pick(r, GENDERS),
    language: pick(r, LANGS),
    academic_degree: pick(r, DEGREES),
    nationality: pick(r, NATIONS),
    occupation: pick(r, JOBS),
    height: (1.5 + r() * 0.5).toFixed(2),
    blood_type: pick(r, BLOOD),
    weight: 45 + Math.floor(r() * 60),
    address: {
      street_number: String(1 + Math.floor(r() * 999)),
      street_name: `${pick(r, LAST)} Street`,
      city: pick(r, CITIES),
      state: pick(r, STATES),
      province: pick(r, STATES),
      postal_code: String(10_000 + Math.floor(r() * 89_999)),
      country_code: "US",
    },
  };
}

function product(id: number, r: () => number, now: number) {
  const created = BASE_TIME + Math.floor(r() * 300 * 86_400_000);
  return {
    id,
    make: pick(r, MAKES),
    model: pick(r, MODELS),
    year: 1995 + Math.floor(r() * 30),
    price: Math.round((5_000 + r() * 60_000) * 100) / 100,
    created_at: iso(created),
    updated_at: iso(now + id),
  };
}

function purchase(id: number, userId: number, r: () => number, now: number) {
  const added = BASE_TIME + Math.floor(r() * 300 * 86_400_000);
  const purchased = r() < 0.7 ? added + Math.floor(r() * 5 * 86_400_000) : null;
  const returned = purchased !== null && r() < 0.1 ? purchased + Math.floor(r() * 20 * 86_400_000) : null;
  return {
    id,
    user_id: userId,
    product_id: 1 + Math.floor(r() * PRODUCT_COUNT),
    created_at: iso(added),
    updated_at: iso(now + id),
    added_to_cart_at: iso(added),
    purchased_at: purchased === null ? null : iso(purchased),
    returned_at: returned === null ? null : iso(returned),
  };
}

/**
 * Runs a source-faker command in-process. `now` fixes updated_at (tests); records of a stream are
 * emitted only when their updated_at is after the stream's state cursor.
 */
export async function* runSourceFaker(options: {
  command: "spec" | "check" | "discover" | "read";
  config?: Record<string, unknown>;
  catalog?: ConfiguredAirbyteCatalog;
  state?: unknown[];
  now?: number;
  signal?: AbortSignal;
}): AsyncGenerator<AirbyteMessage> {
  if (options.command === "spec") {
    yield {
      type: "SPEC",
      spec: {
        connectionSpecification: FAKER_SPEC as unknown as Record<string, unknown>,
        documentationUrl: "https://docs.airbyte.com/integrations/sources/faker",
      },
    };
    return;
  }
  const config = fakerConfig(options.config);
  if (options.command === "check") {
    yield { type: "CONNECTION_STATUS", connectionStatus: { status: "SUCCEEDED" } };
    return;
  }
  if (options.command === "discover") {
    yield { type: "CATALOG", catalog: { streams: FAKER_STREAMS } };
    return;
  }
  const seed = config.seed === -1 ? 42 : config.seed;
  const now =
    options.config?.always_updated === false ? BASE_TIME + 400 * 86_400_000 : (options.now ?? Date.now());
  const cursors = new Map<string, string>();
  for (const s of options.state ?? []) {
    const st = s as {
      stream?: { stream_descriptor?: { name?: string }; stream_state?: { updated_at?: string } };
    };
    const name = st.stream?.stream_descriptor?.name;
    const cursor = st.stream?.stream_state?.updated_at;
    if (name && cursor) cursors.set(name, cursor);
  }
  for (const configured of options.catalog?.streams ?? []) {
    const name = configured.stream.name;
    if (!FAKER_STREAMS.some((s) => s.name === name)) continue;
    const incremental = configured.sync_mode === "incremental";
    const after = incremental ? cursors.get(name) : undefined;
    yield streamStatus(name, "STARTED");
    // One generator per stream, seeded from the seed and the stream, so streams are independent.
    const r = rng(seed * 31 + name.length * 7919 + name.charCodeAt(0));
    const total = name === "products" ? PRODUCT_COUNT : config.count;
    let latest = after ?? "";
    let sinceState = 0;
    for (let id = 1; id <= total; id++) {
      if (options.signal?.aborted) return;
      const data =
        name === "users"
          ? user(id, r, now)
          : name === "products"
            ? product(id, r, now)
            : purchase(id, 1 + ((id * 7) % config.count), r, now);
      if (after !== undefined && data.updated_at <= after) continue;
      if (data.updated_at > latest) latest = data.updated_at;
      yield { type: "RECORD", record: { stream: name, data, emitted_at: Date.now() } };
      if (++sinceState >= config.records_per_slice) {
        sinceState = 0;
        yield streamState(name, latest);
      }
    }
    yield streamState(name, latest);
    yield streamStatus(name, "COMPLETE");
  }
}

function streamState(name: string, updatedAt: string): AirbyteMessage {
  return {
    type: "STATE",
    state: {
      type: "STREAM",
      stream: { stream_descriptor: { name }, stream_state: { updated_at: updatedAt } },
    },
  };
}

function streamStatus(name: string, status: "STARTED" | "COMPLETE"): AirbyteMessage {
  return {
    type: "TRACE",
    trace: {
      type: "STREAM_STATUS",
      emitted_at: Date.now(),
      stream_status: { stream_descriptor: { name }, status },
    },
  };
}
