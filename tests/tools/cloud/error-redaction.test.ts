// API errors that echo a secret, through the real call path: the text is masked whole before it is
// flattened and cut, so nothing of a multi-line secret (a PEM key) or of a secret straddling the cut
// reaches the message. The secrets here are resolved secret references and the client secret.

import { afterEach, describe, expect, test } from "bun:test";
import { CLIENT_SECRET, type CloudHarness, cloudHarness } from "../../helpers/cloud.ts";
import { failed } from "../../helpers/local.ts";

const PEM =
  "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nQWERTYUIOPasdfghjkl1234567890zxcvbnm\n-----END PRIVATE KEY-----";
const PEM_PARTS = ["BEGIN PRIVATE KEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7", "QWERTYUIOP"];
const LONG = "sk_live_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij0123456789";

let h: CloudHarness | null = null;
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

const badRequest = (detail: string) => ({
  status: 400,
  type: "https://reference.airbyte.com/reference/errors#bad-request",
  title: "bad-request",
  detail,
});

describe("API errors echoing a secret", () => {
  test("a multi-line resolved secret echoed in a 400 detail is masked whole", async () => {
    h = await cloudHarness({ env: { AIRBYTE_CLOUD_MCP_SAFE_MODE: "0", PEM_KEY: PEM } });
    const source = h.fake.store.addSource({ name: "S" });
    h.fake.injectFailure({
      method: "PATCH",
      path: /\/sources\//,
      status: 400,
      body: badRequest(`Invalid configuration: {"private_key": "${PEM}"}`),
    });
    const message = failed(
      await h.call("update_cloud_source_config", {
        source_id: source.id,
        config: { private_key: "secret_reference::PEM_KEY" },
      }),
    );
    expect(message).toContain('Invalid configuration: {"private_key": "****"}');
    for (const part of PEM_PARTS) expect(message).not.toContain(part);
  });

  test("a resolved secret straddling the cut of a long detail leaves nothing of itself", async () => {
    h = await cloudHarness({ env: { AIRBYTE_CLOUD_MCP_SAFE_MODE: "0", API_KEY: LONG } });
    const source = h.fake.store.addSource({ name: "S" });
    h.fake.injectFailure({
      method: "PATCH",
      path: /\/sources\//,
      status: 400,
      body: badRequest(`${"x".repeat(580)} api_key=${LONG}`),
    });
    const message = failed(
      await h.call("update_cloud_source_config", {
        source_id: source.id,
        config: { api_key: "secret_reference::API_KEY" },
      }),
    );
    expect(message).toContain("api_key=****");
    expect(message).not.toContain("sk_live");
  });

  test("the client secret echoed by the token endpoint at the cut leaves nothing of itself", async () => {
    h = await cloudHarness();
    h.fake.injectFailure({
      method: "POST",
      path: /applications\/token/,
      status: 400,
      body: badRequest(`${"x".repeat(575)} client_secret=${CLIENT_SECRET}`),
    });
    const message = failed(await h.call("check_airbyte_cloud_workspace", {}));
    expect(message).toContain("client_secret=****");
    expect(message).not.toContain(CLIENT_SECRET.slice(0, 8));
  });
});
