import { connect, type Socket } from "node:net";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withPreparedStatements } from "../../src/db/prepared.ts";
import { ADMIN_URL, createTestDatabase } from "../support/pg.ts";

/**
 * The driver under drizzle runs scalar-parameter statements prepared, in and
 * out of transactions, and the semantics stay postgres.js's (commit,
 * rollback, savepoints, isolation). Writes to the server are counted on the
 * socket itself: each is a round trip the app waits for.
 */
let dbh: Awaited<ReturnType<typeof createTestDatabase>>;
let writes = 0;
let client: postgres.Sql;
let db: ReturnType<typeof drizzle>;

function countedSocket(): Promise<Socket> {
  const u = new URL(ADMIN_URL);
  return new Promise((resolve, reject) => {
    const s = connect(Number(u.port || 5432), u.hostname, () => resolve(s));
    s.once("error", reject);
    const write = s.write.bind(s) as (...args: unknown[]) => boolean;
    s.write = ((...args: unknown[]) => {
      writes++;
      return write(...args);
    }) as Socket["write"];
  });
}

beforeAll(async () => {
  dbh = await createTestDatabase();
  // One connection: every transaction below reuses it, so a connection left
  // inside a transaction or aborted would fail the next test.
  // `socket` (a connected socket of our own) is a postgres.js option its types leave out.
  const options = { max: 1, onnotice: () => {}, socket: countedSocket };
  client = postgres(dbh.url, options as postgres.Options<Record<string, postgres.PostgresType>>);
  db = drizzle(withPreparedStatements(client));
  await db.execute(sql`create table t (id serial primary key, v text not null unique, n int)`);
});

afterAll(async () => {
  await client.end({ timeout: 5 });
  await dbh.drop();
});

beforeEach(async () => {
  await db.execute(sql`truncate t`);
});

const rows = async () => (await db.execute<{ v: string }>(sql`select v from t order by v`)).map((r) => r.v);

describe("statements run prepared", () => {
  it("commits, returns the body's result, one write per statement", async () => {
    const insert = (v: string) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`insert into t (v, n) values (${v}, ${1})`);
        return `done ${v}`;
      });
    await insert("warm"); // the connection is open and the statement prepared on it
    const before = writes;
    const result = await insert("a");
    // BEGIN, INSERT, COMMIT (unprepared, the INSERT alone takes two).
    expect(writes - before).toBe(3);
    expect(result).toBe("done a");
    expect(await rows()).toEqual(["a", "warm"]);
  });

  it("runs a repeated statement with scalar parameters prepared: one write each", async () => {
    await db.execute(sql`insert into t (v, n) values (${"warm"}, ${0})`);
    const before = writes;
    for (let i = 0; i < 5; i++) await db.execute(sql`insert into t (v, n) values (${`p${i}`}, ${i})`);
    // Unprepared, each would first send Parse + Describe and wait: ten writes.
    expect(writes - before).toBe(5);
    expect((await rows()).length).toBe(6);
  });

  it("sends every kind of parameter correctly, prepared or not", async () => {
    await db.execute(sql`insert into t (v, n) values ('x', 1), ('y', 2), ('z', 3)`);
    const picked = await db.execute<{ v: string }>(
      sql`select v from t where n in ${[1, 3]} and v <> ${"?"} and ${true} order by v`,
    );
    expect(picked.map((r) => r.v)).toEqual(["x", "z"]);
    const [row] = await db.execute<{ k: string }>(
      sql`select (${JSON.stringify({ k: "ü" })}::jsonb)->>'k' as k`,
    );
    expect(row!.k).toBe("ü");
  });

  it("rolls back and rethrows when the body throws, and the connection is clean after", async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(sql`insert into t (v) values ('gone')`);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await rows()).toEqual([]);
    const [state] = await db.execute<{ open: boolean }>(sql`select now() <> statement_timestamp() as open`);
    expect(state!.open).toBe(false); // not inside a leftover transaction
  });

  it("refuses to report success when a failed statement was swallowed", async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(sql`insert into t (v) values ('kept?')`);
        await tx.execute(sql`insert into t (v) values (null)`).catch(() => {});
      }),
    ).rejects.toThrow(/null value/);
    expect(await rows()).toEqual([]);
  });

  it("rolls a nested transaction back to its savepoint only", async () => {
    await db.transaction(async (tx) => {
      await tx.execute(sql`insert into t (v) values ('outer')`);
      await expect(
        tx.transaction(async (inner) => {
          await inner.execute(sql`insert into t (v) values ('inner')`);
          await inner.execute(sql`insert into t (v) values ('outer')`); // unique violation
        }),
      ).rejects.toThrow();
      await tx.transaction(async (inner) => {
        await inner.execute(sql`insert into t (v) values ('second')`);
      });
    });
    expect(await rows()).toEqual(["outer", "second"]);
  });

  it("applies the isolation level asked for", async () => {
    const level = await db.transaction(
      async (tx) =>
        (await tx.execute<{ l: string }>(sql`select current_setting('transaction_isolation') as l`))[0]!.l,
      { isolationLevel: "serializable" },
    );
    expect(level).toBe("serializable");
  });
});
