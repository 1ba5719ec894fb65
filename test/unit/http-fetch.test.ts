import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ErrorCode, WebClient } from "@slack/web-api";
import { afterEach, describe, expect, it } from "vitest";
import { keepAliveFetch } from "../../src/slack/http-fetch.ts";

let server: Server | undefined;
const transports: { close(): void }[] = [];
afterEach(async () => {
  for (const t of transports.splice(0)) t.close();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A Web API stand-in: `answer` sees the request number on its connection (1 = a fresh connection). */
async function serve(
  answer: (nthOnSocket: number, body: string, res: import("node:http").ServerResponse) => void,
) {
  const seen = new WeakMap<object, number>();
  server = createServer((req, res) => {
    const n = (seen.get(req.socket) ?? 0) + 1;
    seen.set(req.socket, n);
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => answer(n, body, res));
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/api/`;
}

function client(url: string, opts: { rejectRateLimitedCalls?: boolean } = {}) {
  const transport = keepAliveFetch();
  transports.push(transport);
  return new WebClient("xoxb-test", {
    slackApiUrl: url,
    fetch: transport.fetch,
    retryConfig: { retries: 0 },
    ...opts,
  });
}

const ok = (res: import("node:http").ServerResponse, extra: object = {}) =>
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, ...extra }));

describe("the Web API client's keep-alive transport", () => {
  it("posts the form body and reads Slack's answer, reusing one connection", async () => {
    const bodies: string[] = [];
    const url = await serve((n, body, res) => {
      bodies.push(body);
      ok(res, { ts: `1.${n}` });
    });
    const web = client(url);
    const first = await web.chat.postMessage({ channel: "C1", text: "hello & goodbye" });
    const second = await web.chat.postMessage({ channel: "C1", text: "again" });
    expect([first.ts, second.ts]).toEqual(["1.1", "1.2"]); // the second on the same connection
    expect(new URLSearchParams(bodies[0]).get("text")).toBe("hello & goodbye");
  });

  it("passes a rate limit's status and Retry-After to the client", async () => {
    const url = await serve((_n, _body, res) =>
      res.writeHead(429, { "retry-after": "7" }).end(JSON.stringify({ ok: false, error: "ratelimited" })),
    );
    const err = await client(url, { rejectRateLimitedCalls: true })
      .chat.postMessage({ channel: "C1", text: "x" })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });
  });

  it("sends again on a fresh connection when a pooled one was closed under it, but reports a fresh one failing", async () => {
    let calls = 0;
    const url = await serve((n, _body, res) => {
      calls += 1;
      if (n > 1)
        res.socket?.destroy(); // the server dropped the idle connection
      else ok(res);
    });
    const web = client(url);
    await web.chat.postMessage({ channel: "C1", text: "first" });
    await expect(web.chat.postMessage({ channel: "C1", text: "second" })).resolves.toMatchObject({
      ok: true,
    });
    expect(calls).toBe(3);

    server!.removeAllListeners("request");
    server!.on("request", (req) => req.socket.destroy());
    const failed = await client(url)
      .chat.postMessage({ channel: "C1", text: "third" })
      .catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: ErrorCode.RequestError });
  });

  it("posts lean: the raw answer, with its status and headers; no answer within the time limit fails", async () => {
    const url = await serve((n, body, res) => {
      if (body.includes("never")) return; // keeps the request hanging
      res.setHeader("x-seen", String(n));
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ok: true, echo: JSON.parse(body) }));
    });
    const transport = keepAliveFetch();
    transports.push(transport);
    const answer = await transport.post(
      `${url}chat.postMessage`,
      { "content-type": "application/json" },
      '{"text":"hi"}',
      5000,
    );
    expect(answer.status).toBe(200);
    expect(answer.headers["x-seen"]).toBe("1");
    expect(JSON.parse(answer.body.toString())).toEqual({ ok: true, echo: { text: "hi" } });
    const started = Date.now();
    const late = await transport
      .post(`${url}chat.postMessage`, { "content-type": "application/json" }, '{"text":"never"}', 300)
      .catch((e: unknown) => e);
    expect(String((late as Error).cause ?? late)).toMatch(/no answer within 300 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});
