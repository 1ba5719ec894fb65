/**
 * A fake Slack Web API on 127.0.0.1 (random port) for integration/e2e tests. Point a WebClient at it:
 *   new WebClient("xoxb-test", { slackApiUrl: fake.url, retryConfig: { retries: 0 } })
 * or a Bolt App with `clientOptions: { slackApiUrl: fake.url }`. It records every call, validates Block Kit
 * (violations answer `invalid_blocks` and land in `fake.violations`), and can inject faults.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describeCalls, parseBody, readBody } from "./slack-api-http.ts";
import { BUILTIN_METHODS, type MethodHandler } from "./slack-api-methods.ts";
import {
  type Args,
  FAKE_TEAM_ID,
  type FakeChannel,
  FakeSlackState,
  type FakeTeam,
  type FakeUser,
  invalidBlocks,
  type SlackAnswer,
  type StoredMessage,
  type StoredView,
} from "./slack-api-state.ts";

export type { FakeChannel, FakeUser, MethodHandler, SlackAnswer, StoredMessage, StoredView };
export { parseBody } from "./slack-api-http.ts";
export { FAKE_APP_ID, FAKE_BOT_ID, FAKE_BOT_USER_ID, FAKE_TEAM_ID } from "./slack-api-state.ts";

export interface FakeSlackCall {
  /** Web API method ("chat.postMessage") or "response_url" for posts to `fake.responseUrl(id)`. */
  method: string;
  /** Parsed arguments (form or JSON; JSON-encoded nested values such as `blocks`/`view` decoded). */
  args: Args;
  at: number;
  ok: boolean;
  /** Slack error code when !ok ("invalid_blocks", "ratelimited", "http_500", ...). */
  error?: string;
  status: number;
  token?: string;
  /** What the fake answered (e.g. `response.view.id`, `response.ts`). */
  response: SlackAnswer;
  /** For method "response_url": the id passed to `fake.responseUrl(id)`. */
  responseUrlId?: string;
}

export type FakeFault = { status: 429; retryAfter?: number } | { status: 500 } | { error: string };
export type CallPredicate = (call: FakeSlackCall) => boolean;

export interface StartFakeSlackOptions {
  users?: FakeUser[];
  channels?: FakeChannel[];
  usergroups?: Record<string, string[]>;
  team?: Partial<FakeTeam>;
  /** Delay before answering each call (simulates a slow Slack). */
  latencyMs?: number;
  /** Age after which a trigger_id from `newTriggerId()` is refused (expired_trigger_id). Default 3000. */
  triggerTtlMs?: number;
  /** When set, any other token answers `invalid_auth`. */
  validTokens?: string[];
  /** Block Kit validation of blocks/views (default true). */
  validateBlocks?: boolean;
}

export interface FakeSlack {
  /** Base Web API URL ending with "/api/" (the client's `slackApiUrl`). */
  readonly url: string;
  /** Server origin, e.g. "http://127.0.0.1:45678". */
  readonly origin: string;
  readonly calls: FakeSlackCall[];
  readonly violations: string[];
  readonly users: { addUser(user: FakeUser): FakeUser; get(id: string): FakeUser | undefined };
  addUser(user: FakeUser): FakeUser;
  addChannel(channel: FakeChannel): void;
  addUsergroup(id: string, userIds: string[]): void;
  callsTo(method: string): FakeSlackCall[];
  waitFor(
    match: string | CallPredicate,
    opts?: { timeoutMs?: number; count?: number },
  ): Promise<FakeSlackCall[]>;
  failNext(method: string, fault: FakeFault, times?: number): void;
  /** Adds or overrides a Web API method. */
  handle(method: string, handler: MethodHandler): void;
  /** A response_url on this server; posts to it are recorded as method "response_url". */
  responseUrl(id?: string): string;
  /** A trigger_id that views.open/push accept once, within `triggerTtlMs`. */
  newTriggerId(): string;
  getView(id: string): StoredView | undefined;
  getMessage(channel: string, ts: string): StoredMessage | undefined;
  /** Clears calls, violations, pending faults, messages, views, triggers; keeps users/channels/groups/handlers. */
  reset(): void;
  close(): Promise<void>;
}

const RESPONSE_URL_MAX_USES = 5;

export async function startFakeSlack(opts: StartFakeSlackOptions = {}): Promise<FakeSlack> {
  const team: FakeTeam = { id: FAKE_TEAM_ID, name: "Fake Workspace", domain: "fake-workspace", ...opts.team };
  const state = new FakeSlackState(team, opts.triggerTtlMs ?? 3000, opts.validateBlocks ?? true);
  const calls: FakeSlackCall[] = [];
  const faults = new Map<string, FakeFault[]>();
  const handlers = new Map<string, MethodHandler>(Object.entries(BUILTIN_METHODS));
  const responseUrlUses = new Map<string, number>();
  const listeners = new Set<() => void>();
  let responseUrlCounter = 0;

  for (const u of opts.users ?? []) state.addUser(u);
  for (const c of opts.channels ?? []) state.addChannel(c);
  for (const [id, members] of Object.entries(opts.usergroups ?? {})) state.usergroups.set(id, members);

  function takeFault(method: string): FakeFault | undefined {
    const queue = faults.get(method);
    const fault = queue?.shift();
    if (queue?.length === 0) faults.delete(method);
    return fault;
  }

  async function answer(method: string, args: Args, token: string | undefined, responseUrlId?: string) {
    if (responseUrlId === undefined && token === undefined)
      return { status: 200, body: { ok: false, error: "not_authed" } };
    if (responseUrlId === undefined && opts.validTokens && !opts.validTokens.includes(token ?? "")) {
      return { status: 200, body: { ok: false, error: "invalid_auth" } };
    }
    const fault = takeFault(method);
    if (fault && "status" in fault && fault.status === 429) {
      const retryAfter = String(fault.retryAfter ?? 1);
      return {
        status: 429,
        body: { ok: false, error: "ratelimited" },
        headers: { "retry-after": retryAfter },
      };
    }
    if (fault && "status" in fault)
      return { status: fault.status, body: { ok: false, error: `http_${fault.status}` } };
    if (fault && "error" in fault) return { status: 200, body: { ok: false, error: fault.error } };
    if (responseUrlId !== undefined) return answerResponseUrl(responseUrlId, args);
    const handler = handlers.get(method);
    if (!handler) return { status: 200, body: { ok: false, error: "unknown_method" } };
    return { status: 200, body: await handler(args, { state, token }) };
  }

  function answerResponseUrl(id: string, args: Args): { status: number; body: SlackAnswer } {
    const uses = (responseUrlUses.get(id) ?? 0) + 1;
    responseUrlUses.set(id, uses);
    if (uses > RESPONSE_URL_MAX_USES) {
      state.violations.push(`response_url: ${id} used ${uses} times (> ${RESPONSE_URL_MAX_USES})`);
      return { status: 404, body: { ok: false, error: "used_url" } };
    }
    const errors = state.check("response_url", { blocks: args.blocks, surface: "message" });
    return { status: 200, body: errors.length > 0 ? invalidBlocks(errors) : { ok: true } };
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const raw = await readBody(req);
    let method: string;
    let responseUrlId: string | undefined;
    if (path.startsWith("/api/")) method = decodeURIComponent(path.slice("/api/".length));
    else if (path.startsWith("/response/")) {
      method = "response_url";
      responseUrlId = decodeURIComponent(path.slice("/response/".length));
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    let args: Args;
    try {
      args = parseBody(raw, req.headers["content-type"]);
    } catch {
      args = { _unparsable: raw };
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const bodyToken = typeof args.token === "string" && args.token !== "" ? args.token : undefined;
    delete args.token;
    const token = bearer ?? bodyToken;

    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    let result: { status: number; body: SlackAnswer; headers?: Record<string, string> };
    try {
      result = await answer(method, args, token, responseUrlId);
    } catch (err) {
      result = { status: 200, body: { ok: false, error: "fake_handler_threw", detail: String(err) } };
    }
    const call: FakeSlackCall = {
      method,
      args,
      at,
      ok: result.body.ok,
      status: result.status,
      response: result.body,
    };
    if (!result.body.ok) call.error = result.body.error ?? "unknown_error";
    if (token !== undefined) call.token = token;
    if (responseUrlId !== undefined) call.responseUrlId = responseUrlId;
    calls.push(call);
    for (const listener of listeners) listener();
    res.writeHead(result.status, { "content-type": "application/json; charset=utf-8", ...result.headers });
    res.end(JSON.stringify(result.body));
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const fake: FakeSlack = {
    url: `${origin}/api/`,
    origin,
    calls,
    violations: state.violations,
    users: { addUser: (u) => state.addUser(u), get: (id) => state.users.get(id) },
    addUser: (u) => state.addUser(u),
    addChannel: (c) => state.addChannel(c),
    addUsergroup: (id, userIds) => {
      state.usergroups.set(id, [...userIds]);
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    waitFor(match, { timeoutMs = 5000, count = 1 } = {}) {
      const predicate: CallPredicate = typeof match === "string" ? (c) => c.method === match : match;
      const label = typeof match === "string" ? match : match.name || "predicate";
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = calls.filter(predicate);
          if (found.length < count) return false;
          finish();
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          finish();
          const found = calls.filter(predicate).length;
          const violations =
            state.violations.length > 0 ? `; violations: ${state.violations.join(" | ")}` : "";
          const msg = `fake Slack: waitFor(${label}) timed out after ${timeoutMs} ms: ${found}/${count} matching call(s); recorded (${calls.length}): ${describeCalls(calls)}${violations}`;
          reject(new Error(msg));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(onCall);
        };
        const onCall = () => {
          check();
        };
        if (!check()) listeners.add(onCall);
      });
    },
    failNext(method, fault, times = 1) {
      const queue = faults.get(method) ?? [];
      for (let i = 0; i < times; i++) queue.push(fault);
      faults.set(method, queue);
    },
    handle(method, handler) {
      handlers.set(method, handler);
    },
    responseUrl(id) {
      responseUrlCounter += 1;
      return `${origin}/response/${encodeURIComponent(id ?? `R${String(responseUrlCounter).padStart(8, "0")}`)}`;
    },
    newTriggerId: () => state.newTriggerId(),
    getView: (id) => state.views.get(id),
    getMessage: (channel, ts) => state.messages.get(state.messageKey(channel, ts)),
    reset() {
      calls.length = 0;
      faults.clear();
      responseUrlUses.clear();
      state.reset();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
