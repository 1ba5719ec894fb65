import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { auditAnchors, auditChainHeads } from "../../src/db/schema/index.ts";
import { anchorHash, type ChainHeads, entryHash } from "../../src/domain/audit.ts";
import { createAuditWriter } from "../../src/services/audit/append.ts";
import { agentEvents, appendEach, asSuperuserBypassingTriggers } from "../support/audit.ts";
import { createTestDatabase } from "../support/pg.ts";

const AGOV = resolve(dirname(fileURLToPath(import.meta.url)), "../../bin/agov.mjs");

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let database: Database;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function agov(...args: string[]): Promise<Run> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    DATABASE_URL: testDb.url,
    SLACK_BOT_TOKEN: "xoxb-cli-test",
    SLACK_SIGNING_SECRET: "cli-test-signing-secret",
    AUDIT_HMAC_KEY: "cli-test-audit-hmac-key-0123456789abcdef",
    LOG_LEVEL: "silent",
  };
  return new Promise((done) => {
    execFile(
      process.execPath,
      [AGOV, ...args],
      { env, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase({ url: testDb.url, max: 4 });
  const writer = createAuditWriter("cli-test-audit-hmac-key-0123456789abcdef");
  await appendEach(database.db, writer, agentEvents(1, 4, new Date("2025-03-01T10:00:00Z")));
  await appendEach(database.db, writer, agentEvents(2, 3, new Date("2025-03-05T10:00:00Z")));
  await appendEach(database.db, writer, [
    { type: "config_changed", actor: { slackUser: "UCHAIR0001" }, at: new Date("2025-03-03T00:00:00Z") },
  ]);
});

afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

describe("agov audit verify", { timeout: 60_000 }, () => {
  it("exits 0 with the counts on an intact trail", async () => {
    const run = await agov("audit", "verify");
    expect(run).toMatchObject({ code: 0, stdout: "audit trail OK: 3 chains, 8 entries\n" });
  });

  it("verifies one chain with --chain, and exits 1 for an unknown chain", async () => {
    expect(await agov("audit", "verify", "--chain", "agent-2")).toMatchObject({
      code: 0,
      stdout: "audit trail OK: 1 chain, 3 entries\n",
    });
    const unknown = await agov("audit", "verify", "--chain", "agent-404");
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain("chain agent-404 not found");
  });

  it.each([
    [["--bogus"], /Unknown option '--bogus'/],
    [["--chain"], /argument missing/],
    [["extra"], /Unexpected argument 'extra'/],
    [["--anchor", "not-a-hash"], /--anchor must be a 64-digit hex hash/],
  ])("exits 2 with the usage on bad arguments %j", async (args, problem) => {
    const run = await agov("audit", "verify", ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(problem);
    expect(run.stderr).toContain("usage: agov audit verify");
  });

  it("proves the trail against an anchor, and exits 1 for an unknown anchor", async () => {
    const heads: ChainHeads = {};
    for (const h of await database.db.select().from(auditChainHeads))
      heads[h.chain] = { seq: h.seq, hash: h.hash };
    const hash = anchorHash(heads);
    await database.db.insert(auditAnchors).values({ anchorHash: hash, heads });
    const ok = await agov("audit", "verify", "--anchor", hash);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/audit trail matches anchor \d+ .*: 3 chains, 8 entries/);
    const unknown = await agov("audit", "verify", "--anchor", "cd".repeat(32));
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain("not found");
  });
});

describe("agov audit export", { timeout: 60_000 }, () => {
  const parse = (stdout: string) =>
    stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it("writes every entry as one JSON line with every field, in the order written", async () => {
    const run = await agov("audit", "export");
    expect(run.code).toBe(0);
    const lines = parse(run.stdout);
    expect(lines).toHaveLength(8);
    expect(Object.keys(lines[0]!)).toEqual([
      "id",
      "chain",
      "seq",
      "event_type",
      "occurred_at",
      "agent_id",
      "session_id",
      "actor",
      "data",
      "prev_hash",
      "hash",
    ]);
    const ids = lines.map((l) => l.id as number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(lines[0]!.occurred_at).toBe("2025-03-01T10:00:00.000Z");
    // A SIEM can re-verify every line on its own.
    for (const l of lines) expect(entryHash(l as never)).toBe(l.hash);
  });

  it("filters by --since and --chain", async () => {
    const since = parse((await agov("audit", "export", "--since", "2025-03-02")).stdout);
    expect(since.map((l) => l.chain)).toEqual(["agent-2", "agent-2", "agent-2", "governance"]);
    const chain = parse(
      (await agov("audit", "export", "--chain", "agent-1", "--since", "2025-03-01T10:00:02Z")).stdout,
    );
    expect(chain.map((l) => [l.chain, l.seq])).toEqual([
      ["agent-1", 3],
      ["agent-1", 4],
    ]);
  });

  it.each([["yesterday"], ["2025-13-01"]])("exits 2 with a clear line on --since %s", async (since) => {
    const run = await agov("audit", "export", "--since", since);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--since must be an ISO-8601 date or date-time`);
    expect(run.stdout).toBe("");
  });
});

describe("agov audit verify on a tampered trail", { timeout: 60_000 }, () => {
  it("exits 1 and names the broken chain, seq and entry id", async () => {
    let tamperedId = "";
    await asSuperuserBypassingTriggers(testDb.url, async (tx) => {
      const [row] =
        await tx`update audit_entries set actor = 'u-someone-else' where chain = 'agent-2' and seq = 2
                             returning id`;
      tamperedId = String(row!.id);
    });
    const run = await agov("audit", "verify");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`BROKEN chain agent-2: seq 2 (entry id ${tamperedId}): hash mismatch`);
    expect(run.stdout).toContain("audit trail BROKEN: 1 of 3 chains, 7 entries checked");
  });
});
