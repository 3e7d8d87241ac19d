// A GET (or HEAD) with a body: some APIs want one and the CDK (requests) sends it, but fetch
// refuses to. node:http sends it; this returns its answer as a fetch Response.

import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export function fetchWithBody(
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const send = u.protocol === "https:" ? httpsRequest : httpRequest;
    const body = Buffer.from(init.body);
    const req = send(
      u,
      {
        method: init.method,
        headers: { ...init.headers, "content-length": String(body.length) },
        signal: init.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (Array.isArray(v)) for (const x of v) headers.append(k, x);
            else if (v !== undefined) headers.set(k, v);
          }
          const status = res.statusCode ?? 0;
          const nullBody = status === 204 || status === 304 || init.method === "HEAD";
          resolve(
            new Response(nullBody ? null : Buffer.concat(chunks), {
              status,
              statusText: res.statusMessage ?? "",
              headers,
            }),
          );
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
