// A Cloud tool's config arguments turned into the object sent to Airbyte (pyairbyte-mcp.md §4):
//
// 1. `config`: an object, or a JSON string holding one.
// 2. Plain-text secrets in it are refused: a value typed into the conversation has already been
//    seen by the model and lands in its logs. Secret fields are those the connector's spec marks
//    (airbyte_secret, writeOnly, format: password) plus any the caller knows of (for instance the
//    fields Cloud answers masked). With neither, nothing is refused: no guessing from field names.
// 3. The secret named by `<what>_secret_name` (an env-file or process variable holding a JSON or YAML
//    object) is merged deep on top, so its values win, as in PyAirbyte.
// 4. Every `secret_reference::NAME` value is replaced by NAME's value, here for every Cloud path
//    (deploys, config updates, testing values; PyAirbyte forgets the last two).
//
// Unlike PyAirbyte, this does not require trusted execution: the values come from the operator's own
// env file and environment, never from the caller. The one exception is the server's own Airbyte
// credentials, which no config may name (a reference in a plain field would copy them into Cloud).
// Errors name fields and variables, never values.

import {
  configFromVariable,
  deepMerge,
  hardcodedSecrets,
  parseInlineConfig,
  secretFieldNames,
  secretValues,
} from "../connectors/config.ts";
import { ToolError } from "../core/errors.ts";
import type { Redactor } from "../core/redact.ts";
import { resolveSecretReferences, SECRET_REFERENCE_PREFIX, type SecretLookup } from "../core/secrets.ts";
import type { ToolContext } from "../core/tool.ts";

export type JsonObject = Record<string, unknown>;

/** How Cloud answers a secret field; sending it back keeps the stored value, so it is not a secret. */
export const CLOUD_SECRET_MASK = "**********";

/** The server's own credentials: never sent inside a connector config. */
const SERVER_CREDENTIALS = new Set([
  "AIRBYTE_CLOUD_CLIENT_ID",
  "AIRBYTE_CLOUD_CLIENT_SECRET",
  "AIRBYTE_CLOUD_BEARER_TOKEN",
]);

export interface ConfigInputOptions {
  /** The connector's config JSON Schema: its secret fields may not hold plain-text values. */
  spec?: JsonObject | null;
  /** More field names known to hold secrets (e.g. the fields Cloud answers masked). */
  secretFields?: Iterable<string>;
}

export type ConfigInputContext = Pick<ToolContext, "secrets" | "settings"> &
  Partial<{ redactor: Pick<Redactor, "add"> }>;

/**
 * The config to send: `config` (object or JSON string; null for none) with the secret named by
 * `secretName` merged deep on top and every secret reference resolved. `what` is the argument's
 * name as the caller typed it ("config", "testing_values"); the secret's argument is
 * `<what>_secret_name`.
 */
export function resolveConfigInput(
  config: JsonObject | string | null,
  secretName: string | null,
  ctx: ConfigInputContext,
  what: string,
  options: ConfigInputOptions = {},
): JsonObject {
  const secretKeys = new Set<string>(options.secretFields ?? []);
  if (options.spec) for (const k of secretFieldNames(options.spec)) secretKeys.add(k);

  let merged: JsonObject =
    config === null ? {} : typeof config === "string" ? parseInlineConfig(config, what) : config;
  const typedIn = hardcodedSecrets(merged, secretKeys, new Set([CLOUD_SECRET_MASK]));
  if (typedIn.length > 0) {
    throw new ToolError(
      `${what} holds secret values typed in plain text, in: ${typedIn.join(", ")}. They were not sent.`,
      {
        hint: `Put each secret in the server's env file (AIRBYTE_MCP_ENV_FILE) or environment and write "${SECRET_REFERENCE_PREFIX}ENV_VAR_NAME" in its place (list_dotenv_secrets shows the names), or pass a whole config held in one variable as ${what}_secret_name.`,
      },
    );
  }

  const lookup = guardedLookup(ctx.secrets);
  const name = secretName?.trim() ?? "";
  if (secretName !== null && name === "") {
    throw new ToolError(`${what}_secret_name is empty.`, {
      hint: `Give the name of a variable holding the whole config as JSON or YAML, or pass null.`,
    });
  }
  if (name !== "") {
    const fromSecret = configFromVariable(name, lookup, `${what}_secret_name`);
    // Every value is masked when no field is known to be secret (the variable was named as one).
    ctx.redactor?.add(secretValues(fromSecret, secretKeys.size === 0 ? null : secretKeys));
    merged = deepMerge(merged, fromSecret);
  }
  return resolveSecretReferences(merged, lookup, ctx.settings.envFile?.path ?? null);
}

/** A lookup that refuses the server's own credentials. */
function guardedLookup(secrets: SecretLookup): SecretLookup {
  return (name) => {
    if (SERVER_CREDENTIALS.has(name)) {
      throw new ToolError(
        `The config names ${name}, which holds this server's own Airbyte credentials; they are never sent inside a connector config.`,
        { hint: "Put the value the connector needs in a variable of its own and reference that one." },
      );
    }
    return secrets(name);
  };
}
