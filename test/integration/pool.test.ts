import { sql } from "drizzle-orm";
import { pgTable, text } from "drizzle-orm/pg-core";
import { drizzle } from "drizzle-orm/postgres-js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, queryRows } from "../../src/db/client.ts";
import { createPool, type Pool } from "../../src/db/pool.ts";
import { withPreparedStatements } from "../../src/db/prepared.ts";
import { admin, createTestDatabase } from "../support/pg.ts";
import { countingRelay } from "../support/relay.ts";

/**
 * The app's connection pool on real Postgres: the most recently released
 * connection is handed out first, it never opens more than its size, a
 * request waits for a free connection, failures give the connection back,
 * and every connection parses values as drizzle set it up.
 */
const p = pgTable("p", { v: text("v").primaryKey() });
let dbh: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: Pool | undefined;

beforeAll(async () => {
  dbh = await createTestDatabase();
});
afterEach(async () => {
  await pool?.end({ timeout: 5 });
  pool = undefined;
});
afterAll(async () => {
  await dbh.drop();
});

const open = (max: number) => {
  pool = createPool(dbh.url, { onnotice: () => {} }, max, withPreparedStatements);
  return { pool, db: drizzle(pool.client) };
};
const pid = async (db: ReturnType<typeof drizzle>) =>
  (await db.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`))[0]!.pid;
const backendsOf = (db: ReturnType<typeof drizzle>, n: number) =>
  Promise.all(
    Array.from({ length: n }, () =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select pg_sleep(0.05)`);
        return (await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`))[0]!.pid;
      }),
    ),
  );

describe("the connection pool", () => {
  it("hands the last released connection out again: one backend serves a sequence of requests", async () => {
    const { pool, db } = open(8);
    const burst = await backendsOf(db, 8);
    expect(new Set(burst).size).toBe(8);
    expect(pool.size()).toBe(8);
    // postgres.js's own pool would now go round all eight, one after the other.
    const used = new Set<number>();
    for (let i = 0; i < 20; i++) {
      used.add(await pid(db));
      used.add(await db.transaction(async (tx) => pid(tx as never)));
    }
    expect(used.size).toBe(1);
  });

  it("never opens more than its size; requests beyond it wait their turn and all complete", async () => {
    const { pool, db } = open(3);
    let inside = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        db.transaction(async (tx) => {
          inside++;
          most = Math.max(most, inside);
          await tx.execute(sql`select pg_sleep(0.02)`);
          inside--;
          return i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(most).toBe(3);
    expect(pool.size()).toBe(3);
    expect(new Set(await backendsOf(db, 6)).size).toBe(3);
  });

  it("shares busy connections between statements, never with a transaction", async () => {
    const { pool, db } = open(2);
    await db.execute(sql`create table q (v text primary key)`);
    // Many statements at once on a full pool: they share its two connections and all complete.
    const pids = await Promise.all(Array.from({ length: 30 }, () => pid(db)));
    expect(new Set(pids).size).toBeLessThanOrEqual(2);
    expect(pool.size()).toBe(2);
    // Both connections inside transactions: a statement waits for one to end and runs outside
    // it, so a rollback there does not take the statement's row with it.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let inside = 0;
    const bothIn = new Promise<void>((resolve) => {
      const holders = ["a", "b"].map((v) =>
        db
          .transaction(async (tx) => {
            await tx.execute(sql`insert into q values (${`rolled back ${v}`})`);
            if (++inside === 2) resolve();
            await held;
            throw new Error("roll back");
          })
          .catch(() => {}),
      );
      void Promise.all(holders);
    });
    await bothIn;
    let done = false;
    const statement = db.execute(sql`insert into q values (${"kept"})`).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(done).toBe(false);
    release();
    await statement;
    expect((await db.execute<{ v: string }>(sql`select v from q`)).map((r) => r.v)).toEqual(["kept"]);
  });

  it("gives the connection back after a failed statement or transaction, and keeps its semantics", async () => {
    const { db } = open(1);
    await db.execute(sql`create table p (v text primary key)`);
    await expect(db.execute(sql`select * from no_such_table`)).rejects.toThrow(/no_such_table/);
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(sql`insert into p values (${"rolled back"})`);
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    await db.transaction((tx) => tx.execute(sql`insert into p values (${"kept"})`));
    // Rows as arrays (drizzle's select) and as objects (execute) both come back.
    expect(await db.select().from(p)).toEqual([{ v: "kept" }]);
    expect(await db.execute(sql`select v from p`)).toEqual([{ v: "kept" }]);
  });

  it("gives every connection drizzle's value parsers, also those opened later", async () => {
    const { pool, db } = open(4);
    const values = await Promise.all(
      Array.from({ length: 4 }, () =>
        db.transaction(async (tx) => {
          await tx.execute(sql`select pg_sleep(0.05)`);
          return (await tx.execute<{ t: unknown }>(sql`select '2026-11-24T09:00:00Z'::timestamptz as t`))[0]!
            .t;
        }),
      ),
    );
    expect(pool.size()).toBe(4);
    // drizzle maps timestamps itself: the driver must hand them over as text.
    for (const v of values) expect(typeof v).toBe("string");
  });

  it("is what openDatabase uses for Postgres, and closes every connection it opened", async () => {
    const database = await openDatabase({ url: dbh.url, max: 4 });
    const opened = await Promise.all(
      Array.from({ length: 4 }, () =>
        database.db.transaction(async (tx) => {
          await tx.execute(sql`select pg_sleep(0.05)`);
          return (await queryRows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`))[0]!.pid;
        }),
      ),
    );
    expect(new Set(opened).size).toBe(4);
    const seen = new Set<number>();
    for (let i = 0; i < 10; i++) seen.add(await pid(database.db as never));
    expect(seen.size).toBe(1);
    await database.close();
    const a = admin();
    try {
      // A backend leaves pg_stat_activity a moment after its client has gone.
      let left = -1;
      for (let i = 0; i < 50 && left !== 0; i++) {
        if (i) await new Promise((r) => setTimeout(r, 100));
        const [row] = await a`select count(*)::int as n from pg_stat_activity where pid = any(${opened})`;
        left = row!.n as number;
      }
      expect(left).toBe(0);
    } finally {
      await a.end();
    }
  });

  it("refuses a size that is not a positive integer", () => {
    expect(() => createPool(dbh.url, {}, 0)).toThrow(/positive integer/);
  });
});

/** More parameters than a statement may have (65,534): postgres.js cannot even build it. */
const tooManyParameters = () =>
  sql.join(
    Array.from({ length: 70_000 }, (_, i) => sql`${i}`),
    sql`, `,
  );

describe("transactions on the pool", () => {
  it("send BEGIN with the first statement: a one-statement transaction takes two round trips", async () => {
    const relay = await countingRelay(new URL(dbh.url));
    const relayed = createPool(relay.url, { onnotice: () => {} }, 1, withPreparedStatements);
    try {
      const db = drizzle(relayed.client);
      await db.execute(sql`select 1`); // connected
      const before = relay.chunks();
      const [row] = await db.transaction((tx) => tx.execute<{ x: number }>(sql`select 41 + 1 as x`));
      expect(row!.x).toBe(42);
      expect(relay.chunks() - before).toBe(2); // BEGIN with the SELECT, then COMMIT
    } finally {
      await relayed.end({ timeout: 5 });
      relay.close();
    }
  });

  it("send a transaction of one statement the body does not wait for as that statement alone", async () => {
    const relay = await countingRelay(new URL(dbh.url));
    const relayed = createPool(relay.url, { onnotice: () => {} }, 1, withPreparedStatements);
    try {
      const db = drizzle(relayed.client);
      await db.execute(sql`create table t_alone (v text primary key)`);
      const alone = (v: string) =>
        db.transaction(async (tx) => {
          void tx.execute(sql`insert into t_alone values (${v})`).catch(() => {});
        });
      let mark = relay.sent().length;
      await alone("first");
      expect(relay.sent().slice(mark)).toContain("insert into t_alone");
      expect(relay.sent().slice(mark)).not.toMatch(/begin|commit/i);
      // Prepared now: one write, with no BEGIN or COMMIT (Postgres runs a lone statement as its own transaction).
      let chunks = relay.chunks();
      await alone("second");
      expect(relay.chunks() - chunks).toBe(1);
      expect(
        (await db.execute<{ v: string }>(sql`select v from t_alone order by v`)).map((r) => r.v),
      ).toEqual(["first", "second"]);
      // A body that waits for its statement gets BEGIN and COMMIT around it.
      mark = relay.sent().length;
      chunks = relay.chunks();
      await db.transaction(async (tx) => {
        await tx.execute(sql`insert into t_alone values (${"waited"})`);
      });
      expect(relay.chunks() - chunks).toBe(2);
      expect(relay.sent().slice(mark)).toMatch(/begin[\s\S]*waited[\s\S]*commit/i);
      // A transaction that made no statement sends nothing at all.
      chunks = relay.chunks();
      expect(await db.transaction(async () => "nothing to do")).toBe("nothing to do");
      expect(relay.chunks()).toBe(chunks);
    } finally {
      await relayed.end({ timeout: 5 });
      relay.close();
    }
  });

  it("fail a lone statement whose commit fails (a deferred constraint), keeping nothing", async () => {
    const { db } = open(1);
    await db.execute(
      sql`create table t_alone2 (v text, constraint t_alone2_once unique (v) deferrable initially deferred)`,
    );
    await expect(
      db.transaction(async (tx) => {
        void tx.execute(sql`insert into t_alone2 select ${"x"} from generate_series(1, 2)`).catch(() => {});
      }),
    ).rejects.toThrow(/t_alone2_once/);
    expect(await db.execute(sql`select v from t_alone2`)).toEqual([]);
    // And a lone statement that fails outright reports its own error.
    await expect(
      db.transaction(async (tx) => {
        void tx.execute(sql`select * from no_such_table`).catch(() => {});
      }),
    ).rejects.toThrow(/no_such_table/);
  });

  it("roll back a statement held back when the body fails: it ran, its caller got its answer, nothing stays", async () => {
    const { db } = open(1);
    await db.execute(sql`create table t_alone3 (v text primary key)`);
    let answer: Promise<unknown> | undefined;
    await expect(
      db.transaction(async (tx) => {
        answer = tx.execute(sql`insert into t_alone3 values (${"undone"}) returning v`).then((rows) => rows);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await answer).toEqual([{ v: "undone" }]);
    expect(await db.execute(sql`select v from t_alone3`)).toEqual([]);
    // A body that fails before making any statement sends nothing and leaves the connection clean.
    await expect(
      db.transaction(async () => {
        throw new Error("nothing to do");
      }),
    ).rejects.toThrow("nothing to do");
    const a = admin();
    try {
      const [row] = await a<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
        where datname = ${dbh.name} and state like 'idle in transaction%'`;
      expect(row!.n).toBe(0);
    } finally {
      await a.end();
    }
  });

  it("run a tagged-template statement on the pool's own client inside its transaction", async () => {
    const { pool, db } = open(1);
    await db.execute(sql`create table t_tagged (v text primary key)`);
    await expect(
      pool.client.begin(async (t) => {
        await t`insert into t_tagged values ('tagged')`;
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await db.execute(sql`select v from t_tagged`)).toEqual([]);
    // Fragments are not statements: t(rows) still builds an insert.
    await pool.client.begin(async (t) => {
      await t`insert into t_tagged ${t([{ v: "helper" }])}`;
    });
    expect(await db.execute(sql`select v from t_tagged`)).toEqual([{ v: "helper" }]);
  });

  it("always send BEGIN when it has a mode: a read-only transaction refuses its one write", async () => {
    const { pool, db } = open(1);
    await db.execute(sql`create table t_alone4 (v text primary key)`);
    await expect(
      pool.client.begin("read only", (t) => {
        void t.unsafe("insert into t_alone4 values ('written')").catch(() => {});
      }),
    ).rejects.toThrow(/read-only transaction/);
    expect(await db.execute(sql`select v from t_alone4`)).toEqual([]);
  });

  it("roll back after a failed statement even if the body caught it, and report that first error", async () => {
    const { db } = open(2);
    await db.execute(sql`create table t1 (v text primary key)`);
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(sql`insert into t1 values (${"a"})`);
        await tx.execute(sql`select * from no_such_table`).catch(() => {});
        await tx.execute(sql`insert into t1 values (${"b"})`).catch(() => {}); // "transaction is aborted"
      }),
    ).rejects.toThrow(/no_such_table/);
    expect(await db.execute(sql`select v from t1`)).toEqual([]);
    await db.transaction((tx) => tx.execute(sql`insert into t1 values (${"c"})`));
    expect(await db.execute(sql`select v from t1`)).toEqual([{ v: "c" }]);
  });

  it("roll a failed savepoint back to itself; the transaction goes on and commits", async () => {
    const { db } = open(2);
    await db.execute(sql`create table t2 (v text primary key)`);
    await db.transaction(async (tx) => {
      await tx.execute(sql`insert into t2 values (${"outer"})`);
      await expect(
        tx.transaction(async (sp) => {
          await sp.execute(sql`insert into t2 values (${"inner, undone"})`);
          await sp.execute(sql`select * from no_such_table`);
        }),
      ).rejects.toThrow(/no_such_table/);
      await tx.transaction((sp) => sp.execute(sql`insert into t2 values (${"second"})`));
    });
    expect((await db.execute<{ v: string }>(sql`select v from t2 order by v`)).map((r) => r.v)).toEqual([
      "outer",
      "second",
    ]);
  });

  it("pass a failure at COMMIT (a deferred constraint) to the caller, keeping nothing", async () => {
    const { db } = open(1);
    await db.execute(
      sql`create table t3 (v text, constraint t3_once unique (v) deferrable initially deferred)`,
    );
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(sql`insert into t3 values (${"x"})`);
        await tx.execute(sql`insert into t3 values (${"x"})`);
      }),
    ).rejects.toThrow(/t3_once/);
    expect(await db.execute(sql`select v from t3`)).toEqual([]);
  });

  it("fail at once when the connection dies mid-way, never run the rest elsewhere, and replace it", async () => {
    const { db } = open(1);
    await db.execute(sql`create table t4 (v text primary key)`);
    const a = admin();
    try {
      await expect(
        db.transaction(async (tx) => {
          await tx.execute(sql`insert into t4 values (${"before"})`);
          const [row] = await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
          await a`select pg_terminate_backend(${row!.pid})`;
          await tx.execute(sql`insert into t4 values (${"after"})`);
        }),
      ).rejects.toThrow();
    } finally {
      await a.end();
    }
    // Neither row: the first was rolled back with its connection, the second never ran.
    // The pool replaced that connection: the next statements work at once.
    expect(await db.execute(sql`select v from t4`)).toEqual([]);
    await db.transaction((tx) => tx.execute(sql`insert into t4 values (${"next"})`));
    expect(await db.execute(sql`select v from t4`)).toEqual([{ v: "next" }]);
  });

  it("report a statement postgres.js cannot even build (too many parameters) and go on working", async () => {
    const { db } = open(1);
    const before = await pid(db);
    const failed: { cause?: { code?: string } } = await db
      .transaction((tx) => tx.execute(sql`select ${tooManyParameters()}`))
      .then(
        () => ({}),
        (e: unknown) => e as never,
      );
    expect(failed.cause?.code).toBe("MAX_PARAMETERS_EXCEEDED");
    const [row] = await db.transaction((tx) => tx.execute<{ x: number }>(sql`select 2 as x`));
    expect(row!.x).toBe(2);
    // That connection's replies could no longer be trusted: a new one serves now.
    expect(await pid(db)).not.toBe(before);
  });

  it("keep the connection when the body itself fails, whatever its error looks like", async () => {
    const { db } = open(1);
    const before = await pid(db);
    for (const err of [
      Object.assign(new Error("conflict"), { code: "conflict" }),
      Object.assign(new Error("no file"), { code: "ENOENT" }),
    ]) {
      await expect(
        db.transaction(async (tx) => {
          await tx.execute(sql`select 1`);
          throw err;
        }),
      ).rejects.toBe(err);
    }
    expect(await pid(db)).toBe(before);
  });

  it("fail, keeping nothing, when a statement the body did not wait for failed", async () => {
    const { db } = open(1);
    await db.execute(sql`create table t5 (v text primary key)`);
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(sql`insert into t5 values (${"kept?"})`);
        void tx.execute(sql`select * from no_such_table`).catch(() => {});
      }),
    ).rejects.toThrow(/no_such_table/);
    expect(await db.execute(sql`select v from t5`)).toEqual([]);
  });

  it("refuse a statement made after the transaction ended, rather than run it in the next one", async () => {
    const { db } = open(1);
    await db.execute(sql`create table t6 (v text primary key)`);
    let leaked: (() => Promise<unknown>) | undefined;
    await db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      leaked = () => tx.execute(sql`insert into t6 values (${"late"})`);
    });
    await expect(
      db.transaction(async (tx) => {
        const late: { cause?: Error } = await leaked!().then(
          () => ({}),
          (e: unknown) => e as never,
        );
        expect(late.cause?.message).toBe("the transaction has already ended");
        await tx.execute(sql`insert into t6 values (${"own"})`);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await db.execute(sql`select v from t6`)).toEqual([]);
  });

  it("let a transaction under way finish when the pool is closed", async () => {
    const { pool, db } = open(1);
    await db.execute(sql`create table t7 (v text primary key)`);
    const tx = db.transaction(async (t) => {
      await t.execute(sql`select pg_sleep(0.1)`);
      await t.execute(sql`insert into t7 values (${"done"})`);
    });
    await new Promise((r) => setTimeout(r, 20));
    // Without a timeout: this waits for the transaction, then ends (it used to wait forever).
    await Promise.all([tx, pool.end()]);
    const other = createPool(dbh.url, { onnotice: () => {} }, 1);
    try {
      expect(await drizzle(other.client).execute(sql`select v from t7`)).toEqual([{ v: "done" }]);
    } finally {
      await other.end({ timeout: 5 });
    }
  });

  it("refuse a statement made while COMMIT is on its way, which would run outside the transaction", async () => {
    const { db } = open(1);
    await db.execute(sql`create table t8 (v text primary key)`);
    // A deferred trigger makes COMMIT take a while.
    await db.execute(
      sql.raw(`create table slow (v int);
      create function slow_commit() returns trigger language plpgsql as $$ begin perform pg_sleep(0.3); return null; end $$;
      create constraint trigger slow_commit after insert on slow deferrable initially deferred
        for each row execute function slow_commit()`),
    );
    let late: Promise<unknown> | undefined;
    await db.transaction(async (tx) => {
      await tx.execute(sql`insert into slow values (1)`);
      setTimeout(() => {
        late = tx
          .execute(sql`insert into t8 values (${"after commit was sent"})`)
          .catch((e: { cause?: Error }) => e.cause);
      }, 50);
    });
    expect(((await late) as Error).message).toBe("the transaction has already ended");
    expect(await db.execute(sql`select v from t8`)).toEqual([]);
  });

  it("fail when a savepoint's statement failed unseen: the server rolled the whole transaction back", async () => {
    const { db } = open(1);
    await db.execute(sql`create table t9 (v text primary key)`);
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(sql`insert into t9 values (${"outer"})`);
        await tx.transaction(async (sp) => {
          void sp.execute(sql`select * from no_such_table`).catch(() => {});
        });
      }),
    ).rejects.toThrow();
    expect(await db.execute(sql`select v from t9`)).toEqual([]);
  });

  it("let a savepoint see the failure of a statement its body did not wait for, and roll back to it alone", async () => {
    const { db } = open(1);
    await db.execute(sql`create table t10 (v text primary key)`);
    await db.transaction(async (tx) => {
      await tx.execute(sql`insert into t10 values (${"outer"})`);
      await expect(
        tx.transaction(async (sp) => {
          void sp.execute(sql`insert into t10 values (${"inner, undone"})`).catch(() => {});
          void sp.execute(sql`select * from no_such_table`).catch(() => {});
        }),
      ).rejects.toThrow(/no_such_table/);
      await tx.execute(sql`insert into t10 values (${"after"})`);
    });
    expect((await db.execute<{ v: string }>(sql`select v from t10 order by v`)).map((r) => r.v)).toEqual([
      "after",
      "outer",
    ]);
  });

  it("give up a connection whose pipelined statements can no longer be matched to their replies", async () => {
    const { db } = open(1);
    // Three statements pipelined on the one connection; postgres.js cannot build the second.
    const outcomes = await Promise.allSettled([
      db.execute(sql`select pg_sleep(0.05)`),
      db.execute(sql`select ${tooManyParameters()}`),
      db.execute(sql`select ${"third"} as x`),
    ]);
    // None of them may resolve with another statement's rows.
    for (const o of outcomes.slice(1)) expect(o.status).toBe("rejected");
    expect(await db.execute(sql`select ${"later"} as x`)).toEqual([{ x: "later" }]);
  });

  it("close after the work already accepted, refusing what comes after", async () => {
    const { pool, db } = open(1);
    const first = db.transaction(async (tx) => {
      await tx.execute(sql`select pg_sleep(0.05)`);
      return "first";
    });
    const queued = db.transaction(
      async (tx) => (await tx.execute<{ x: string }>(sql`select ${"queued"} as x`))[0]!.x,
    );
    const ended = pool.end();
    const after = db.execute(sql`select 1`).then(
      () => "ran",
      (e: { cause?: Error; message: string }) => (e.cause ?? e).message,
    );
    expect(await Promise.all([first, queued, ended, after])).toEqual([
      "first",
      "queued",
      undefined,
      "the database pool is closing",
    ]);
  });
});
