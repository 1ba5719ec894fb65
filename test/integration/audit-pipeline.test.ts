import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase, postgresClientOf, queryRows } from "../../src/db/client.ts";
import { createAuditWriter } from "../../src/services/audit/append.ts";
import { verifyAuditTrail } from "../../src/services/audit/verify.ts";
import { agentEvents, entriesOf } from "../support/audit.ts";
import { createTestDatabase } from "../support/pg.ts";
import { countingRelay } from "../support/relay.ts";

/**
 * Appends pipelined with what follows them (AuditWriterOptions.pipeline, as
 * the app writes on PostgreSQL): no round trip of their own, and a failed
 * one still fails its transaction.
 */
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let database: Database;
const KEY = "pipeline-audit-hmac-key-0123456789abcdef";
const pipelined = createAuditWriter(KEY, { pipeline: true });
const awaited = createAuditWriter(KEY);

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase({ url: testDb.url, max: 4 });
  // A way to make one append fail in the database: a session id it refuses.
  await database.db.execute(
    sql`alter table audit_pending add constraint test_refused_session check (session_id is distinct from 'refused')`,
  );
});
afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

const seqs = async (chain: string) => (await entriesOf(database.db, chain)).map((e) => e.seq);
const refused = (agentId: number) => ({ ...agentEvents(agentId, 1)[0]!, sessionId: "refused" });

describe("pipelined appends", () => {
  it("go out with the COMMIT: a one-append transaction takes one round trip (two when awaited)", async () => {
    const relay = await countingRelay(new URL(testDb.url));
    const relayed = await openDatabase({ url: relay.url, max: 1 });
    try {
      const [first, second] = agentEvents(501, 2);
      await relayed.db.execute(sql`select 1`); // connected, statements prepared below are not
      await relayed.db.transaction((tx) => pipelined.append(tx, first!)); // warm: prepares the INSERT
      let before = relay.chunks();
      await relayed.db.transaction((tx) => pipelined.append(tx, second!));
      expect(relay.chunks() - before).toBe(1); // the INSERT alone (a lone statement needs no BEGIN or COMMIT)
      before = relay.chunks();
      await relayed.db.transaction((tx) => awaited.append(tx, agentEvents(501, 3)[2]!));
      expect(relay.chunks() - before).toBe(2);
      expect(await seqs("agent-501")).toEqual([1, 2, 3]);
    } finally {
      await relayed.close();
      relay.close();
    }
  });

  it("are linked even when nothing waits for them, in the order they were made", async () => {
    const events = agentEvents(502, 3);
    await database.db.transaction(async (tx) => {
      for (const e of events) void pipelined.append(tx, e);
    });
    const entries = await entriesOf(database.db, "agent-502");
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries.map((e) => (e.data as { call: number }).call)).toEqual(
      events.map((e) => (e.data as { call: number }).call),
    );
    expect(await verifyAuditTrail(database.db, { chain: "agent-502" })).toMatchObject({
      entries: 3,
      findings: [],
    });
  });

  it("a failed one fails its transaction with its own error: nothing of the transaction stays", async () => {
    const attempt = database.db.transaction(async (tx) => {
      void pipelined.append(tx, agentEvents(503, 1)[0]!);
      void pipelined.append(tx, refused(504));
    });
    await expect(attempt).rejects.toThrow(/test_refused_session/);
    // A statement the body awaits after it fails with that error too, not "transaction is aborted".
    const later = database.db.transaction(async (tx) => {
      void pipelined.append(tx, refused(504));
      await tx.execute(sql`select 1`);
    });
    await expect(later).rejects.toThrow(/test_refused_session/);
    expect(await seqs("agent-503")).toEqual([]);
    expect(await seqs("agent-504")).toEqual([]);
  });

  it("a failed one inside a savepoint rolls back to the savepoint alone", async () => {
    await database.db.transaction(async (tx) => {
      void pipelined.append(tx, agentEvents(506, 1)[0]!);
      await expect(
        tx.transaction(async (sp) => {
          void pipelined.append(sp, agentEvents(507, 1)[0]!);
          void pipelined.append(sp, refused(507));
        }),
      ).rejects.toThrow(/test_refused_session/);
    });
    expect(await seqs("agent-506")).toEqual([1]);
    expect(await seqs("agent-507")).toEqual([]);
  });

  it("inside a transaction, are sent on the transaction's own client (rolled back with it)", async () => {
    await expect(
      database.db.transaction(async (tx) => {
        const client = postgresClientOf(tx);
        expect(client).not.toBeNull();
        await pipelined.append(tx, agentEvents(508, 1)[0]!);
        const [row] = await queryRows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from audit_pending where chain = 'agent-508'`,
        );
        expect(row).toEqual({ n: 1 });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await seqs("agent-508")).toEqual([]);
  });

  it("outside a transaction, an append is awaited", async () => {
    await pipelined.append(database.db, agentEvents(505, 1)[0]!);
    expect(await seqs("agent-505")).toEqual([1]);
    const err = await pipelined.append(database.db, refused(505)).catch((e: unknown) => e);
    expect(String((err as Error).cause)).toMatch(/test_refused_session/);
    expect(await seqs("agent-505")).toEqual([1]);
  });
});
