import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase, queryRows } from "../../src/db/client.ts";
import { stillPending } from "../../src/db/pending.ts";
import { deadlines, outbox } from "../../src/db/schema/index.ts";
import { createTestDatabase } from "../support/pg.ts";

/**
 * Pending outbox items are claimed and marked sent by id. During a burst the
 * table fills with pending rows faster than the planner's statistics follow;
 * those statements must still read only the rows asked for.
 */
let dbh: Awaited<ReturnType<typeof createTestDatabase>>;
let database: Database;

beforeAll(async () => {
  dbh = await createTestDatabase();
  database = await openDatabase({ url: dbh.url, max: 2 });
});
afterAll(async () => {
  await database.close();
  await dbh.drop();
});

interface PlanNode {
  "Node Type": string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  Plans?: PlanNode[];
}

/** Rows the plan's scans read (returned plus filtered out). */
function rowsRead(node: PlanNode): number {
  const own = /Scan/.test(node["Node Type"])
    ? ((node["Actual Rows"] ?? 0) +
        (node["Rows Removed by Filter"] ?? 0) +
        (node["Rows Removed by Index Recheck"] ?? 0)) *
      (node["Actual Loops"] ?? 1)
    : 0;
  return own + (node.Plans ?? []).reduce((sum, p) => sum + rowsRead(p), 0);
}

describe("looking up pending rows by id", () => {
  it("reads only the items asked for while a burst outruns the planner's statistics", async () => {
    const db = database.db;
    // A history the statistics know of: everything sent.
    await db.execute(
      sql`insert into outbox (op, target, payload, status)
          select 'dm', 'U1', '{"text":"old"}'::jsonb, 'sent' from generate_series(1, 3000)`,
    );
    await db.execute(sql`analyze outbox`);
    // Then a burst of 5,000 pending messages, not analysed yet.
    const ids = await queryRows<{ id: string }>(
      db,
      sql`insert into outbox (op, target, payload)
          select 'dm', 'U1', '{"text":"new"}'::jsonb from generate_series(1, 5000) returning id`,
    );
    const some = sql.join(
      ids.slice(-20).map((r) => sql`${Number(r.id)}`),
      sql`, `,
    );
    const read = async (pending: SQL) => {
      const [row] = await queryRows<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
        db,
        sql`explain (analyze, format json) select id from outbox where id in (${some}) and ${pending} for update`,
      );
      return rowsRead(row!["QUERY PLAN"][0].Plan);
    };
    // The plain condition: the planner reads every pending item through the status index.
    expect(await read(sql`status = 'pending'`)).toBeGreaterThan(1000);
    // As the claims and sent marks write it: primary-key probes only.
    expect(await read(stillPending(outbox.status))).toBeLessThanOrEqual(20);
  });

  it("claims a timer's own deadline by its id, not through the pending index", async () => {
    const db = database.db;
    await db.execute(
      sql`insert into deadlines (key, kind, subject_type, subject_id, due_at, status)
          select 'old-' || g, 'x', 'bench', g::text, now() - interval '1 day', 'fired' from generate_series(1, 3000) g`,
    );
    await db.execute(sql`analyze deadlines`);
    const [last] = await queryRows<{ id: string }>(
      db,
      sql`insert into deadlines (key, kind, subject_type, subject_id, due_at)
          select 'new-' || g, 'x', 'bench', g::text, now() - interval '1 second' from generate_series(1, 5000) g
          returning id`,
    ).then((rows) => rows.slice(-1));
    const read = async (pending: SQL) => {
      const [row] = await queryRows<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
        db,
        sql`explain (analyze, format json) select id from deadlines
            where id = ${Number(last!.id)} and ${pending} and due_at <= now() for update`,
      );
      return rowsRead(row!["QUERY PLAN"][0].Plan);
    };
    expect(await read(sql`status = 'pending'`)).toBeGreaterThan(1000);
    expect(await read(stillPending(deadlines.status))).toBe(1);
  });
});
