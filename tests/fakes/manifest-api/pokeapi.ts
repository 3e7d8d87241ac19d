// PokeAPI as source-pokeapi's manifest uses it: GET /api/v2/pokemon/{name}, no credentials, one JSON
// object per pokemon, and a plain-text 404 "Not Found" for a name it does not know.

import { FakeApi } from "./common.ts";
import { Rand, recordFor } from "./generate.ts";

type Json = Record<string, unknown>;

export const POKEAPI_ORIGINS = ["https://pokeapi.co"];

export class PokeApi extends FakeApi {
  readonly pokemon = new Map<string, Json>();

  /** `names`: the pokedex (e.g. the spec's enum); `schema`: the stream's schema, for the other fields. */
  constructor(names: string[], schema: Json) {
    super();
    names.forEach((name, i) => {
      this.pokemon.set(name, { ...recordFor(schema, new Rand(1000 + i)), id: i + 1, name, order: i + 1 });
    });
    this.route(
      "GET",
      "/api/v2/pokemon/:name{[^/]+/?}",
      "pokemon",
      (c) => {
        const name = (c.req.param("name") ?? "").replace(/\/$/, "").toLowerCase();
        const found = this.pokemon.get(name);
        return found ? { body: found, records: [found] } : { status: 404, body: "Not Found" };
      },
      "pokemon",
    );
  }
}
