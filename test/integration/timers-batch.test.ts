import { and, eq, inArray, like, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.ts";
import { deadlines, outbox } from "../../src/db/schema/index.ts";
import { DEADLINE_HANDLERS } from "../../src/jobs/deadline-handlers.ts";
import { timerJobs } from "../../src/jobs/timers.ts";
import type { Deps } from "../../src/services/deps.ts";
import { deferOutbox } from "../../src/services/effects.ts";
import { CLAIM_MS } from "../../src/services/outbox/claim.ts";
import { fireDueDeadlines } from "../../src/services/timers/fire-due.ts";
import type { DeadlineContext } from "../../src/services/timers/fire.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack-api.ts";
import { defaultUsers, PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import { createTestDatabase } from "../support/pg.ts";
import { deleteQueueKeys, until } from "../support/timers.ts";

/**
 * Deadlines of a test kind: each DMs on-call a text naming its key (deferred,
 * as the app's timer handlers do: written for the whole batch at once). Keys
 * listed in `failing` make their handler fail after queueing its DM (a plain
 * error, or a database error that aborts the transaction) as many times as
 * listed: what it wrote must not survive.
 */
const PING = "test_ping";
const failing = new Map<string, { times: number; how: "throw" | "database" }>();
DEADLINE_HANDLERS[PING] = async (ctx: DeadlineContext) => {
  deferOutbox(ctx.fx, {
    op: "dm",
    user: PEOPLE.oncall,
    message: { text: `ping ${ctx.deadline.key}` },
  });
  const failure = failing.get(ctx.deadline.key);
  if (failure && failure.times > 0) {
    failure.times -= 1;
    if (failure.how === "database") await ctx.tx.execute(sql`select 1 / 0`);
    throw new Error(`handler of ${ctx.deadline.key} failed`);
  }
};

let fake: FakeSlack;
const apps: TestApp[] = [];
const databases: { drop: () => Promise<void> }[] = [];
const prefixes: string[] = [];

beforeAll(async () => {
  fake = await startFakeSlack({ users: defaultUsers() });
});
afterAll(async () => {
  for (const app of apps) await app.close().catch(() => {});
  for (const prefix of prefixes) await deleteQueueKeys(prefix);
  for (const database of databases) await database.drop();
  await fake?.close();
});

/** Instances of the app on one fresh database and one queue (a batch takes every due deadline it can see). */
async function startInstances(count: number, opts: { worker?: boolean } = {}): Promise<TestApp[]> {
  const db = await createTestDatabase();
  databases.push(db);
  const queuePrefix = `agovbatch${Math.random().toString(36).slice(2, 8)}`;
  prefixes.push(queuePrefix);
  const started: TestApp[] = [];
  for (let i = 0; i < count; i++) {
    const app = await startTestApp({ databaseUrl: db.url, fake, queuePrefix, ...opts });
    apps.push(app);
    started.push(app);
  }
  return started;
}
const start = async (opts: { worker?: boolean } = {}) => (await startInstances(1, opts))[0]!;

/** Pending deadline rows due at `dueAt`; with `jobs`, also their timer, as scheduling adds it. */
async function schedule(deps: Deps, tag: string, count: number, dueAt: Date, jobs: boolean) {
  const rows = await deps.db
    .insert(deadlines)
    .values(
      Array.from({ length: count }, (_, i) => ({
        key: `${tag}-${i}`,
        kind: PING,
        subjectType: "test",
        subjectId: String(i),
        dueAt,
      })),
    )
    .returning();
  if (jobs) await deps.jobs.addBulk(timerJobs([dueAt], new Date()));
  return rows;
}

const rowsOf = (deps: Deps, tag: string) =>
  deps.db
    .select()
    .from(deadlines)
    .where(like(deadlines.key, `${tag}-%`))
    .orderBy(deadlines.id);

/** Outbox rows and Slack posts per deadline key of `tag`. */
async function effectsPerKey(deps: Deps, tag: string) {
  const queued = await queryRows<{ key: string; n: string }>(
    deps.db,
    sql`select substr(payload->>'text', 6) as key, count(*) as n from outbox
        where payload->>'text' like ${`ping ${tag}-%`} group by 1`,
  );
  const posted = new Map<string, number>();
  for (const c of fake.callsTo("chat.postMessage")) {
    const text = String(c.args.text ?? "");
    if (c.ok && text.startsWith(`ping ${tag}-`))
      posted.set(text.slice(5), (posted.get(text.slice(5)) ?? 0) + 1);
  }
  return { queued: new Map(queued.map((r) => [r.key, Number(r.n)])), posted };
}

/** Fires what is due now (as a timer does), in batches of `batchSize`. */
const fireDue = (deps: Deps, batchSize: number, skip: number[] = []) =>
  fireDueDeadlines(deps, DEADLINE_HANDLERS, { cutoff: new Date(), batchSize, skip });

describe("firing due deadlines together", () => {
  it("fires every due deadline in one transaction, in due order, each once", async () => {
    const app = await start({ worker: false });
    const deps = app.governor.deps;
    const early = await schedule(deps, "together", 20, new Date(Date.now() - 2000), false);
    const late = await schedule(deps, "together-late", 10, new Date(Date.now() - 1000), false);
    const batch = await fireDue(deps, 100);
    expect(batch.claimed).toBe(30);
    expect(batch.fired.map((d) => d.key)).toEqual([...early, ...late].map((d) => d.key));
    expect(batch.fx.outboxIds).toHaveLength(30);
    const rows = [...(await rowsOf(deps, "together")), ...(await rowsOf(deps, "together-late"))];
    expect(new Set(rows.map((d) => d.status))).toEqual(new Set(["fired"]));
    expect(new Set(rows.map((d) => d.firedAt?.getTime())).size).toBe(1);
    // Nothing left to fire: a second run does nothing.
    const again = await fireDue(deps, 100);
    expect(again).toMatchObject({ claimed: 0, fired: [], failed: [] });
  });

  it("with a claim, the handlers' messages come back written claimed, for delivery right after the commit", async () => {
    const app = await start({ worker: false });
    const deps = app.governor.deps;
    const due = await schedule(deps, "claimed", 5, new Date(Date.now() - 1000), false);
    const batch = await fireDueDeadlines(deps, DEADLINE_HANDLERS, {
      cutoff: new Date(),
      batchSize: 100,
      claimOutboxMs: CLAIM_MS,
    });
    expect(batch.fx.outboxIds).toEqual([]);
    expect(batch.fx.claimedOutbox.map((r) => (r.payload as { text: string }).text)).toEqual(
      due.map((d) => `ping ${d.key}`),
    );
    const rows = await deps.db
      .select()
      .from(outbox)
      .where(
        inArray(
          outbox.id,
          batch.fx.claimedOutbox.map((r) => r.id),
        ),
      );
    expect(rows.every((r) => r.deliverAfter.getTime() - r.createdAt.getTime() === CLAIM_MS)).toBe(true);
  });

  it("leaves deadlines that are not due yet or are skipped, and takes at most the batch size", async () => {
    const app = await start({ worker: false });
    const deps = app.governor.deps;
    const due = await schedule(deps, "limit", 12, new Date(Date.now() - 1000), false);
    await schedule(deps, "later", 3, new Date(Date.now() + 60_000), false);
    const batch = await fireDue(deps, 5, [due[1]!.id]);
    expect(batch.fired.map((d) => d.key)).toEqual([due[0]!, ...due.slice(2, 6)].map((d) => d.key));
    expect(batch.claimed).toBe(5);
    expect((await rowsOf(deps, "later")).map((d) => d.status)).toEqual(["pending", "pending", "pending"]);
    expect((await rowsOf(deps, "limit")).filter((d) => d.status === "pending")).toHaveLength(7);
  });

  it("a failing handler costs nothing to the others: they fire once, it stays pending with no effect", async () => {
    const app = await start({ worker: false });
    const deps = app.governor.deps;
    const rows0 = await schedule(deps, "isolate", 10, new Date(Date.now() - 1000), false);
    // One aborts the transaction with a database error, another throws inside the retried batch.
    failing.set(rows0[3]!.key, { times: 5, how: "database" });
    failing.set(rows0[7]!.key, { times: 5, how: "throw" });
    const batch = await fireDue(deps, 100);
    expect(batch.claimed).toBe(10);
    expect(batch.failed.map((f) => f.id).sort()).toEqual([rows0[3]!.id, rows0[7]!.id].sort());
    expect(batch.failed.map((f) => String(f.error)).join(" ")).toContain(
      `handler of ${rows0[7]!.key} failed`,
    );
    const rows = await rowsOf(deps, "isolate");
    expect(rows.filter((d) => d.status === "pending").map((d) => d.key)).toEqual([
      rows0[3]!.key,
      rows0[7]!.key,
    ]);
    expect(rows.find((d) => d.key === rows0[3]!.key)?.firedAt).toBeNull();
    const { queued } = await effectsPerKey(deps, "isolate");
    expect([...queued.keys()].sort()).toEqual(
      rows
        .filter((d) => d.status === "fired")
        .map((d) => d.key)
        .sort(),
    );
    expect([...queued.values()].every((n) => n === 1)).toBe(true);
    expect(batch.fx.outboxIds).toHaveLength(8);
  });

  it("two instances firing the same burst at once take disjoint batches: each deadline fires once", async () => {
    const [a, b] = (await startInstances(2, { worker: false })) as [TestApp, TestApp];
    await schedule(a.governor.deps, "race", 400, new Date(Date.now() - 1000), false);
    const firedBy = new Map<number, number>();
    await Promise.all(
      [a, b].flatMap((app) =>
        [0, 1, 2].map(async () => {
          for (;;) {
            const batch = await fireDue(app.governor.deps, 25);
            for (const d of batch.fired) firedBy.set(d.id, (firedBy.get(d.id) ?? 0) + 1);
            if (!batch.claimed) return;
          }
        }),
      ),
    );
    expect(firedBy.size).toBe(400);
    expect([...firedBy.values()].every((n) => n === 1)).toBe(true);
    const { queued } = await effectsPerKey(a.governor.deps, "race");
    expect(queued.size).toBe(400);
    expect([...queued.values()].every((n) => n === 1)).toBe(true);
  });
});

describe("a burst through the job queue", () => {
  it("two running instances fire and deliver a burst exactly once, a failing handler retried alone", async () => {
    const [a, b] = (await startInstances(2)) as [TestApp, TestApp];
    const burst = 300;
    const dueAt = new Date(Date.now() + 1500);
    const rows = await schedule(a.governor.deps, "burst", burst, dueAt, true);
    // Duplicate timers under other ids, as a stray scheduler might add.
    const [timer] = timerJobs([dueAt], new Date());
    await b.governor.deps.jobs.addBulk(
      [1, 2, 3].map((n) => ({ ...timer!, opts: { ...timer!.opts, jobId: `${timer!.opts.jobId}-dup${n}` } })),
    );
    failing.set(rows[123]!.key, { times: 2, how: "throw" });
    await until(async () => (await effectsPerKey(a.governor.deps, "burst")).posted.size === burst, 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    const { queued, posted } = await effectsPerKey(a.governor.deps, "burst");
    expect(queued.size).toBe(burst);
    expect([...queued.values()].every((n) => n === 1)).toBe(true);
    expect([...posted.values()].every((n) => n === 1)).toBe(true);
    const fired = await rowsOf(a.governor.deps, "burst");
    expect(fired.every((d) => d.status === "fired")).toBe(true);
    // Fired in batches: far fewer firing moments than deadlines.
    expect(new Set(fired.map((d) => d.firedAt?.getTime())).size).toBeLessThan(burst / 3);
    // Every message went out and was recorded as sent, once.
    const sent = await a.governor.deps.db
      .select({ status: outbox.status })
      .from(outbox)
      .where(and(like(sql`${outbox.payload}->>'text'`, "ping burst-%"), eq(outbox.status, "sent")));
    expect(sent).toHaveLength(burst);
  }, 60_000);
});
