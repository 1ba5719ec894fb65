import { createHash } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentTokens, auditEntries } from "../../src/db/schema/index.ts";
import { agentChain, pseudonymise } from "../../src/domain/audit.ts";
import { verifyAuditTrail } from "../../src/services/audit/verify.ts";
import { createAgent } from "../support/agent-fixtures.ts";
import { HMAC_KEY, PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import { runTs } from "../support/process.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ worker: false });
});
afterAll(async () => {
  await t?.close();
});

const TOKEN = /agov_[A-Za-z0-9_-]{43}/g;
const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

function agov(...args: string[]) {
  return runTs("src/cli/main.ts", args, {
    SLACK_BOT_TOKEN: "xoxb-cli",
    SLACK_SIGNING_SECRET: "cli-signing-secret",
    DATABASE_URL: t.databaseUrl,
    AUDIT_HMAC_KEY: HMAC_KEY,
  });
}

async function newAgent(name: string, status: "deployed" | "suspended" = "deployed") {
  return createAgent(t.governor.deps.db, {
    name,
    status,
    businessOwner: PEOPLE.business,
    technicalOwner: PEOPLE.techOwner,
  });
}

/** Issues a token through the real CLI; the agent name is given in another case to prove the lookup is case-insensitive. */
async function issueToken(name: string): Promise<string> {
  const { code, output } = await agov("token", "issue", name.toUpperCase());
  expect(code, output).toBe(0);
  const tokens = output.match(TOKEN) ?? [];
  expect(tokens).toHaveLength(1);
  return tokens[0]!;
}

function post(body: unknown, token: string | null, path = "/api/v1/audit/events") {
  return fetch(`${t.governor.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const chainEntries = (agentId: number) =>
  t.governor.deps.db
    .select()
    .from(auditEntries)
    .where(eq(auditEntries.chain, agentChain(agentId)))
    .orderBy(asc(auditEntries.seq));

const toolCall = (i: number) => ({ event_type: "tool_called", session_id: "s-1", data: { tool: "crm", i } });

// Each agov run is a fresh tsx process (~2 s on a busy machine): allow for several per test.
describe("agov token issue / revoke", { timeout: 90_000 }, () => {
  it("prints the token once and stores only its sha256, audited without the token", async () => {
    const agent = await newAgent("Token Keeper");
    const token = await issueToken(agent.name);
    const rows = await t.governor.deps.db.select().from(agentTokens).where(eq(agentTokens.agentId, agent.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(sha256(token));
    expect(rows[0]!.createdBy).toBe("cli");
    expect(rows[0]!.revokedAt).toBeNull();
    const secret = token.slice("agov_".length);
    expect(JSON.stringify(rows[0])).not.toContain(secret);
    const entries = await chainEntries(agent.id);
    expect(entries.map((e) => [e.eventType, e.actor, e.data])).toEqual([
      ["token_issued", "system-cli", { token_id: rows[0]!.id }],
    ]);
    expect(JSON.stringify(entries)).not.toContain(secret);
  });

  it("refuses an unknown agent with exit 1 and a missing name with exit 2", async () => {
    const unknown = await agov("token", "issue", "No Such Agent");
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain('no agent named "No Such Agent"');
    expect(unknown.output).not.toMatch(TOKEN);
    const missing = await agov("token", "issue");
    expect(missing.code).toBe(2);
    expect(missing.output).toContain("usage: agov token issue AGENT_NAME");
    expect((await agov("token", "revoke")).code).toBe(2);
  });

  it("revokes every active token: the API then answers 401, and a second revoke exits 1", async () => {
    const agent = await newAgent("Revocable");
    const first = await issueToken(agent.name);
    const second = await issueToken(agent.name);
    expect((await post({ events: [toolCall(1)] }, first)).status).toBe(202);
    const revoke = await agov("token", "revoke", "revocable");
    expect(revoke.code, revoke.output).toBe(0);
    expect(revoke.output).toContain("revoked 2 tokens");
    const before = (await chainEntries(agent.id)).length;
    for (const token of [first, second]) {
      const res = await post({ events: [toolCall(2)] }, token);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: "invalid_token" });
    }
    const entries = await chainEntries(agent.id);
    expect(entries).toHaveLength(before);
    expect(entries.filter((e) => e.eventType === "token_revoked")).toHaveLength(2);
    const again = await agov("token", "revoke", agent.name);
    expect(again.code).toBe(1);
    expect(again.output).toContain("has no active token");
  });
});

describe("POST /api/v1/audit/events", { timeout: 60_000 }, () => {
  let agentId: number;
  let token: string;
  beforeAll(async () => {
    const agent = await newAgent("Ingest Bot");
    agentId = agent.id;
    token = await issueToken(agent.name);
  });

  it("appends a batch to the agent's chain with redaction, hashing and pseudonyms", async () => {
    const before = (await chainEntries(agentId)).length;
    const reportedAt = "2025-03-01T10:00:00.000+01:00";
    const startedAt = Date.now();
    const res = await post(
      {
        events: [
          {
            event_type: "agent_session_started",
            session_id: "sess-42",
            user_id: "U_END_USER_1",
            timestamp: reportedAt,
          },
          {
            event_type: "tool_called",
            session_id: "sess-42",
            user_id: "U_END_USER_1",
            data: { tool: "crm.lookup", api_key: "k-123", args: { password: "hunter2", max_tokens: 5 } },
          },
          {
            event_type: "human_approval_requested",
            session_id: "sess-42",
            sensitive: true,
            data: { prompt: "refund customer 991 in full", reason: "over limit" },
          },
        ],
      },
      token,
    );
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toEqual({
      accepted: 3,
      chain: `agent-${agentId}`,
      first_seq: before + 1,
      last_seq: before + 3,
    });
    const entries = (await chainEntries(agentId)).slice(before);
    expect(entries.map((e) => [e.seq, e.eventType, e.sessionId, e.agentId])).toEqual([
      [before + 1, "agent_session_started", "sess-42", agentId],
      [before + 2, "tool_called", "sess-42", agentId],
      [before + 3, "human_approval_requested", "sess-42", agentId],
    ]);
    const [started, called, approval] = entries;
    // The server's clock is occurred_at; the runtime's is kept as reported_at.
    expect(started!.occurredAt.getTime()).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(started!.data).toEqual({ reported_at: reportedAt });
    expect(started!.actor).toBe(`u-${pseudonymise(HMAC_KEY, "U_END_USER_1")}`);
    expect(called!.actor).toBe(started!.actor);
    expect(JSON.stringify(entries)).not.toContain("U_END_USER_1");
    expect(called!.data).toEqual({
      tool: "crm.lookup",
      api_key: "[REDACTED]",
      args: { password: "[REDACTED]", max_tokens: 5 },
    });
    expect(approval!.actor).toBe(`agent-runtime-${agentId}`);
    expect(approval!.data).toEqual({
      prompt_hash: sha256("refund customer 991 in full"),
      reason: "over limit",
    });
    expect(JSON.stringify(entries)).not.toContain("hunter2");
    expect(JSON.stringify(entries)).not.toContain("refund customer");
  });

  it("keeps the chain gap-free and verifiable under concurrent batches", async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, k) =>
        post({ events: Array.from({ length: 50 }, (_, i) => toolCall(k * 50 + i)) }, token).then(
          (r) => r.json() as Promise<{ first_seq: number; last_seq: number }>,
        ),
      ),
    );
    const ranges = results.map((r) => [r.first_seq, r.last_seq] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1] + 1);
    const summary = await verifyAuditTrail(t.governor.deps.db, { chain: agentChain(agentId) });
    expect(summary.findings).toEqual([]);
    expect(summary.entries).toBe((await chainEntries(agentId)).length);
  });

  it("writes the largest batches (1,000 events, several statements each) whole and in order, concurrently", async () => {
    const before = (await chainEntries(agentId)).length;
    const results = await Promise.all(
      Array.from({ length: 3 }, (_, k) =>
        post({ events: Array.from({ length: 1000 }, (_, i) => toolCall(10_000 * (k + 1) + i)) }, token).then(
          async (r) => ({
            status: r.status,
            body: (await r.json()) as { accepted: number; first_seq: number; last_seq: number },
          }),
        ),
      ),
    );
    for (const r of results) {
      expect(r.status).toBe(202);
      expect(r.body.accepted).toBe(1000);
      expect(r.body.last_seq - r.body.first_seq).toBe(999);
    }
    const ranges = results
      .map((r) => [r.body.first_seq, r.body.last_seq] as const)
      .sort((a, b) => a[0] - b[0]);
    expect(ranges[0]![0]).toBe(before + 1);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1] + 1);
    // Each request's events sit in its own seq range, in the order it sent them.
    const entries = await chainEntries(agentId);
    for (const [first] of ranges) {
      const calls = entries
        .filter((e) => e.seq >= first && e.seq < first + 1000)
        .map((e) => (e.data as { i: number }).i);
      expect(calls).toHaveLength(1000);
      expect(calls).toEqual(Array.from({ length: 1000 }, (_, i) => calls[0]! + i));
    }
    expect((await verifyAuditTrail(t.governor.deps.db, { chain: agentChain(agentId) })).findings).toEqual([]);
  }, 60_000);

  it("accepts the events of a suspended agent: the trail must be complete", async () => {
    const agent = await newAgent("Suspended Bot", "suspended");
    const suspendedToken = await issueToken(agent.name);
    expect((await post({ events: [toolCall(1)] }, suspendedToken)).status).toBe(202);
  });

  it.each([
    ["no Authorization header", null],
    ["an unknown token", `agov_${"A".repeat(43)}`],
    ["a malformed token", "not-a-token"],
  ])("answers 401 and writes nothing for %s", async (_, bad) => {
    const before = (await chainEntries(agentId)).length;
    const res = await post({ events: [toolCall(1)] }, bad);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "invalid_token" });
    expect(await chainEntries(agentId)).toHaveLength(before);
  });

  it.each([
    [
      "an unknown event type",
      { events: [toolCall(1), { event_type: "vote_cast", session_id: "s" }] },
      "events.1.event_type",
    ],
    ["1001 events", { events: Array.from({ length: 1001 }, (_, i) => toolCall(i)) }, "events"],
    ["no events", { events: [] }, "events"],
    ["a missing session id", { events: [{ event_type: "tool_called" }] }, "events.0.session_id"],
    ["a misspelt key", { events: [{ ...toolCall(1), senstive: true }] }, "events.0"],
    [
      "data over 64 KB",
      { events: [{ ...toolCall(1), data: { blob: "x".repeat(70_000) } }] },
      "events.0.data",
    ],
    ["a bad timestamp", { events: [{ ...toolCall(1), timestamp: "yesterday" }] }, "events.0.timestamp"],
  ])("answers 422 listing the path for %s, writing nothing", async (_, body, path) => {
    const before = (await chainEntries(agentId)).length;
    const res = await post(body, token);
    expect(res.status).toBe(422);
    const answer = (await res.json()) as { error: string; issues: { path: string; message: string }[] };
    expect(answer.error).toBe("invalid_body");
    expect(answer.issues.map((i) => i.path)).toContain(path);
    expect(await chainEntries(agentId)).toHaveLength(before);
  });

  it("answers 400 to a body that is not JSON", async () => {
    const res = await post("{events: nope", token);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "invalid_json" });
  });

  it("answers 413 to a body over 1 MB", async () => {
    const res = await post({ events: [{ ...toolCall(1), data: { blob: "x".repeat(1_100_000) } }] }, token);
    expect(res.status).toBe(413);
  });

  it("answers 405 with Allow to GET, and JSON 404 to an unknown API path", async () => {
    const get = await fetch(`${t.governor.url}/api/v1/audit/events`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect(await get.json()).toEqual({ error: "method_not_allowed" });
    const unknown = await post({ events: [toolCall(1)] }, token, "/api/v1/nothing-here");
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/json");
    expect(await unknown.json()).toEqual({ error: "not_found" });
  });
});
