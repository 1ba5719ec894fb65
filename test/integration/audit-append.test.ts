import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase, queryRows, type Tx } from "../../src/db/client.ts";
import { auditChainHeads, auditEntries } from "../../src/db/schema/index.ts";
import { canonicalEntry, entryHash, GENESIS_HASH } from "../../src/domain/audit.ts";
import { canonicalValue } from "../../src/domain/audit-canonical.ts";
import type { AuditRecord } from "../../src/domain/audit-verify.ts";
import { CANONICAL_ENTRY_SQL } from "../../src/services/audit/verify-parallel.ts";
import { type AuditEvent, createAuditWriter } from "../../src/services/audit/append.ts";
import { sweepLinkedPending } from "../../src/services/audit/pending.ts";
import { verifyAuditTrail } from "../../src/services/audit/verify.ts";
import { agentEvents, entriesOf } from "../support/audit.ts";
import { createTestDatabase } from "../support/pg.ts";

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let database: Database;
const writer = createAuditWriter("integration-audit-hmac-key-0123456789");

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase({ url: testDb.url, max: 20 });
});
afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

const seqsOf = async (chain: string) => (await entriesOf(database.db, chain)).map((e) => e.seq);
/** Runs `work` in a transaction that then stays open until `release()`; resolves once `work` is done. */
async function holdOpen(
  work: (tx: Tx) => Promise<unknown>,
): Promise<{ release: () => void; holder: Promise<void> }> {
  let release!: () => void;
  const held = new Promise<void>((r) => {
    release = r;
  });
  let ready!: () => void;
  const isReady = new Promise<void>((r) => {
    ready = r;
  });
  const holder = database.db.transaction(async (tx) => {
    await work(tx);
    ready();
    await held;
  });
  await isReady;
  return { release, holder };
}
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("appending to the audit trail", () => {
  it("serialises 200 concurrent appends from 20 connections on one chain: seqs 1..200, no fork, no gap", async () => {
    const events = agentEvents(1, 200);
    await Promise.all(events.map((e) => database.db.transaction((tx) => writer.append(tx, e))));
    expect(await seqsOf("agent-1")).toEqual(range(200));
    // Every event is there exactly once (the writer numbered its events 1..200).
    const calls = (await entriesOf(database.db, "agent-1")).map((e) => (e.data as { call: number }).call);
    expect(calls.sort((a, b) => a - b)).toEqual(range(200));
    const rows = await entriesOf(database.db, "agent-1");
    // Every entry links to the one before it: a single line, no fork.
    rows.forEach((row, i) => {
      expect(row.prevHash).toBe(i === 0 ? GENESIS_HASH : rows[i - 1]!.hash);
    });
    const [head] = await database.db
      .select()
      .from(auditChainHeads)
      .where(eq(auditChainHeads.chain, "agent-1"));
    expect(head).toEqual({ chain: "agent-1", seq: 200, hash: rows.at(-1)!.hash });
    const summary = await verifyAuditTrail(database.db, { chain: "agent-1" });
    expect(summary).toEqual({ chains: 1, entries: 200, findings: [] });
  }, 90_000);

  it("appends concurrently to 32 chains, each one gap-free", async () => {
    const events = range(32).flatMap((c) => agentEvents(100 + c, 15));
    await Promise.all(events.map((e) => database.db.transaction((tx) => writer.append(tx, e))));
    for (const c of range(32)) expect(await seqsOf(`agent-${100 + c}`)).toEqual(range(15));
    const summary = await verifyAuditTrail(database.db);
    expect(summary.findings).toEqual([]);
  }, 90_000);

  it("links at commit: an open transaction holding an append blocks no one, and chains number in commit order", async () => {
    const { release, holder } = await holdOpen((tx) =>
      writer.append(tx, { type: "tool_called", agentId: 200, data: { call: "held" } }),
    );
    // Not linked yet: nothing in the chain, and no head.
    expect(await seqsOf("agent-200")).toEqual([]);
    // Another transaction on the same chain, and one on another chain, commit at once.
    await database.db.transaction((tx) =>
      writer.append(tx, { type: "tool_called", agentId: 200, data: { call: "first" } }),
    );
    await database.db.transaction((tx) => writer.append(tx, agentEvents(201, 1)[0]!));
    expect(await seqsOf("agent-201")).toEqual([1]);
    release();
    await holder;
    const rows = await entriesOf(database.db, "agent-200");
    expect(rows.map((r) => [r.seq, (r.data as { call: string }).call])).toEqual([
      [1, "first"],
      [2, "held"],
    ]);
    expect((await verifyAuditTrail(database.db, { chain: "agent-200" })).findings).toEqual([]);
    // Linked rows wait in audit_pending for the sweep, which deletes them all; linking happened at commit.
    const pending = async () =>
      (await database.db.execute(sql`select count(*)::int as n from audit_pending`)) as unknown as {
        n: number;
      }[];
    expect((await pending())[0]!.n).toBeGreaterThan(0);
    await sweepLinkedPending(database.db);
    expect(await pending()).toMatchObject([{ n: 0 }]);
    expect(await seqsOf("agent-200")).toEqual([1, 2]);
  });

  it("the sweep of linked pending rows leaves those of a transaction still running: it links at its commit", async () => {
    const { release, holder } = await holdOpen((tx) => writer.append(tx, agentEvents(206, 1)[0]!));
    await sweepLinkedPending(database.db);
    release();
    await holder;
    expect(await seqsOf("agent-206")).toEqual([1]);
    expect((await verifyAuditTrail(database.db, { chain: "agent-206" })).findings).toEqual([]);
  });

  it("queues a second commit on the same chain behind a commit that holds the head", async () => {
    // A transaction that locks the head row (as the linking trigger does at commit) delays the
    // other transaction's commit on that chain, not its work, and not other chains.
    await database.db.transaction((tx) => writer.append(tx, agentEvents(202, 1)[0]!));
    const { release, holder } = await holdOpen((tx) =>
      tx.execute(sql`select 1 from audit_chain_heads where chain = 'agent-202' for update`),
    );
    let sameDone = false;
    const same = database.db
      .transaction((tx) => writer.append(tx, agentEvents(202, 1)[0]!))
      .then(() => {
        sameDone = true;
      });
    await database.db.transaction((tx) => writer.append(tx, agentEvents(203, 1)[0]!));
    await new Promise((r) => setTimeout(r, 300));
    expect(sameDone).toBe(false);
    release();
    await holder;
    await same;
    expect(await seqsOf("agent-202")).toEqual([1, 2]);
  });

  it("queues appends and batches of one chain on the chain's advisory lock, and only that chain", async () => {
    // Writers on one chain wait on audit_lock_chain (granted one at a time) before the
    // head row: a holder of it delays both kinds of append to its chain, no other chain.
    const { release, holder } = await holdOpen((tx) => tx.execute(sql`select audit_lock_chain('agent-204')`));
    const done: string[] = [];
    const single = database.db
      .transaction((tx) => writer.append(tx, agentEvents(204, 1)[0]!))
      .then(() => done.push("single"));
    const batch = database.db
      .transaction((tx) => writer.appendBatch(tx, agentEvents(204, 2)))
      .then(() => done.push("batch"));
    await database.db.transaction((tx) => writer.append(tx, agentEvents(205, 1)[0]!));
    await database.db.transaction((tx) => writer.appendBatch(tx, agentEvents(205, 2)));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toEqual([]);
    expect(await seqsOf("agent-205")).toEqual([1, 2, 3]);
    release();
    await Promise.all([holder, single, batch]);
    expect(await seqsOf("agent-204")).toEqual([1, 2, 3]);
    expect((await verifyAuditTrail(database.db, { chain: "agent-204" })).findings).toEqual([]);
  });

  it("links several appends of one transaction in the order they were made, across chains", async () => {
    await database.db.transaction(async (tx) => {
      await writer.append(tx, { type: "tool_called", agentId: 210, data: { n: 1 } });
      await writer.append(tx, { type: "tool_called", agentId: 211, data: { n: 1 } });
      await writer.append(tx, { type: "tool_called", agentId: 210, data: { n: 2 } });
    });
    const rows = await entriesOf(database.db, "agent-210");
    expect(rows.map((r) => [r.seq, (r.data as { n: number }).n])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(await seqsOf("agent-211")).toEqual([1]);
  });

  it("leaves no entry and no gap when the transaction rolls back", async () => {
    await database.db.transaction((tx) => writer.append(tx, agentEvents(300, 1)[0]!));
    await expect(
      database.db.transaction(async (tx) => {
        await writer.append(tx, agentEvents(300, 1)[0]!);
        throw new Error("the state change failed");
      }),
    ).rejects.toThrow("the state change failed");
    expect(await seqsOf("agent-300")).toEqual([1]);
    await database.db.transaction((tx) => writer.append(tx, agentEvents(300, 1)[0]!));
    expect(await seqsOf("agent-300")).toEqual([1, 2]);
    expect((await verifyAuditTrail(database.db, { chain: "agent-300" })).findings).toEqual([]);
  });

  it("leaves no head row when the first append of a new chain rolls back", async () => {
    await expect(
      database.db.transaction(async (tx) => {
        await writer.append(tx, agentEvents(301, 1)[0]!);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow();
    const heads = await database.db
      .select()
      .from(auditChainHeads)
      .where(eq(auditChainHeads.chain, "agent-301"));
    expect(heads).toEqual([]);
  });

  it("appends a batch across chains in one transaction, results in input order", async () => {
    const events: AuditEvent[] = [
      { type: "tool_called", agentId: 400, data: { n: 1 } },
      { type: "config_changed", actor: { slackUser: "UCHAIR0001" }, data: { key: "sla.tier1" } },
      { type: "tool_called", agentId: 400, data: { n: 2 } },
      { type: "tool_called", agentId: 401, data: { n: 1 } },
    ];
    const before = (await seqsOf("governance")).length;
    const out = await database.db.transaction((tx) => writer.appendBatch(tx, events));
    expect(out.map((e) => [e.chain, e.seq])).toEqual([
      ["agent-400", 1],
      ["governance", before + 1],
      ["agent-400", 2],
      ["agent-401", 1],
    ]);
    const gov = await entriesOf(database.db, "governance");
    expect(gov.at(-1)!.actor).toMatch(/^u-[0-9a-f]{32}$/);
    expect(JSON.stringify(gov.at(-1))).not.toContain("UCHAIR0001");
    expect((await verifyAuditTrail(database.db)).findings).toEqual([]);
  });

  it("stores awkward text in a batch exactly (quotes, backslashes, braces, the word NULL)", async () => {
    const awkward = 'quote " backslash \\ braces {a,b} comma , NULL \n newline é 😀';
    await database.db.transaction((tx) =>
      writer.appendBatch(tx, [
        { type: "tool_called", agentId: 450, sessionId: "NULL", data: { note: awkward, [awkward]: 1 } },
        { type: "tool_called", agentId: 450, sessionId: null, data: {} },
      ]),
    );
    const rows = await entriesOf(database.db, "agent-450");
    expect(rows.map((r) => r.sessionId)).toEqual(["NULL", null]);
    expect(rows[0]!.data).toEqual({ note: awkward, [awkward]: 1 });
    expect((await verifyAuditTrail(database.db, { chain: "agent-450" })).findings).toEqual([]);
  });

  it("appends a batch larger than one statement (12,000 entries) gap-free", async () => {
    const out = await database.db.transaction((tx) => writer.appendBatch(tx, agentEvents(500, 12_000)));
    expect(out.at(-1)!.seq).toBe(12_000);
    const [count] = await database.db
      .select({ n: sql<number>`count(*)::int`, max: sql<number>`max(seq)::int` })
      .from(auditEntries)
      .where(eq(auditEntries.chain, "agent-500"));
    expect(count).toEqual({ n: 12_000, max: 12_000 });
    expect(await verifyAuditTrail(database.db, { chain: "agent-500", pageSize: 777 })).toEqual({
      chains: 1,
      entries: 12_000,
      findings: [],
    });
  }, 90_000);

  it("fails a big batch with the error of the statement Postgres refused, and leaves nothing", async () => {
    // Entry 2,100 is in the ninth of the batch's ten statements, which are all on
    // their way before the first one's reply is read; Postgres cannot store
    // a year-10000 timestamp as Date.prototype.toISOString writes it.
    const events = agentEvents(510, 2_500);
    events[2_099] = { ...events[2_099]!, at: new Date("+010000-01-01T00:00:00.000Z") };
    const failed = await database.db
      .transaction((tx) => writer.appendBatch(tx, events))
      .catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    // drizzle's error names the statement (the ninth: its first seq is 2,001); the cause is Postgres's.
    expect((failed as Error & { cause?: Error }).cause?.message).toMatch(
      /time zone displacement out of range/,
    );
    expect((failed as Error).message).toMatch(/params: \{"agent-510"[^}]*\},\{2001,/);
    expect(await seqsOf("agent-510")).toEqual([]);
    const heads = await database.db
      .select()
      .from(auditChainHeads)
      .where(eq(auditChainHeads.chain, "agent-510"));
    expect(heads).toEqual([]);
    const out = await database.db.transaction((tx) => writer.appendBatch(tx, agentEvents(510, 1_001)));
    expect(out.map((e) => e.seq)).toEqual(Array.from({ length: 1_001 }, (_, i) => i + 1));
    expect((await verifyAuditTrail(database.db, { chain: "agent-510" })).findings).toEqual([]);
  }, 60_000);

  it("refuses an unknown event type and writes nothing", async () => {
    await expect(
      database.db.transaction((tx) =>
        writer.append(tx, { type: "made_up" as AuditEvent["type"], agentId: 600 }),
      ),
    ).rejects.toThrow(/unknown audit event type/);
    expect(await seqsOf("agent-600")).toEqual([]);
  });

  it("stores sanitised data so the stored row re-hashes to its hash", async () => {
    await database.db.transaction((tx) =>
      writer.append(tx, {
        type: "tool_called",
        agentId: 700,
        sensitive: true,
        data: {
          content: "private text",
          token: "xoxb-secret",
          at: new Date(0),
          weird: "nul\u0000 \ud800",
          text: "café ✓ 😀 \u2028",
          n: 1e21,
          f: 0.1,
        },
      }),
    );
    const [row] = await entriesOf(database.db, "agent-700");
    expect(JSON.stringify(row!.data)).not.toMatch(/private text|xoxb-secret/);
    expect((await verifyAuditTrail(database.db, { chain: "agent-700" })).findings).toEqual([]);
  });

  it("stores data as the canonical text it hashed, and Postgres rebuilds every entry's canonical JSON byte for byte", async () => {
    const awkward =
      'quote " backslash \\ tab \t newline \n bell \u0007 del \u007f sep \u2028 é 😀 <!channel>';
    const events: AuditEvent[] = [
      {
        type: "tool_called",
        agentId: 800,
        sessionId: awkward,
        actor: { slackUser: "U0800" },
        data: { z: 1, a: [awkward, -0.5, 1e21, 2e-7, null, true] },
      },
      {
        type: "config_changed",
        data: { é: 1, e: 2, "😀": { b: {}, a: [] }, "e\u0301": "x", "\u{10000}": 3, "\uffff": 4 },
      },
      { type: "tool_called", agentId: 800, data: {} },
    ];
    for (const e of events) await database.db.transaction((tx) => writer.append(tx, e));
    type Row = { data_text: string; sql_canonical: string; js: AuditRecord };
    const rows = await queryRows<Row>(
      database.db,
      sql`select data::text as data_text, ${sql.raw(CANONICAL_ENTRY_SQL)} as sql_canonical,
                 json_build_object('chain', chain, 'seq', seq, 'event_type', event_type,
                   'occurred_at', to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                   'agent_id', agent_id, 'session_id', session_id, 'actor', actor, 'data', data,
                   'prev_hash', prev_hash, 'id', id, 'hash', hash) as js
          from audit_entries where chain in ('agent-800', 'governance') order by id`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) {
      expect(row.sql_canonical).toBe(canonicalEntry(row.js));
      expect(row.data_text).toBe(canonicalValue(row.js.data));
      expect(entryHash(row.js)).toBe(row.js.hash);
    }
  });

  it("works the same on the embedded database (PGlite): database-side and batch hashes verify", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agov-audit-pglite-"));
    const embedded = await openDatabase({ pgliteDir: dir });
    try {
      await embedded.migrate();
      for (const e of agentEvents(1, 3)) await embedded.db.transaction((tx) => writer.append(tx, e));
      await embedded.db.transaction((tx) => writer.appendBatch(tx, agentEvents(1, 5)));
      // Several statements on their way at once (250 entries each).
      const big = await embedded.db.transaction((tx) => writer.appendBatch(tx, agentEvents(1, 600)));
      expect(big.map((e) => e.seq)).toEqual(Array.from({ length: 600 }, (_, i) => i + 9));
      await embedded.db.transaction((tx) =>
        writer.append(tx, { type: "config_changed", data: { note: "café ✓ 😀" } }),
      );
      expect(await verifyAuditTrail(embedded.db, { pageSize: 3 })).toEqual({
        chains: 2,
        entries: 609,
        findings: [],
      });
    } finally {
      await embedded.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
