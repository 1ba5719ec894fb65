import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { stringify } from "yaml";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadlines } from "../../src/db/schema/index.ts";
import { DEADLINE_HANDLERS } from "../../src/jobs/deadline-handlers.ts";
import { reconcileTimers, sweepMissedTimers } from "../../src/jobs/reconcile.ts";
import { timerJobId, timerJobs, windowEnd } from "../../src/jobs/timers.ts";
import { Effects } from "../../src/services/effects.ts";
import { inTransaction } from "../../src/services/run.ts";
import type { Deps } from "../../src/services/deps.ts";
import { fireDueDeadlines } from "../../src/services/timers/fire-due.ts";
import { scheduleSlaTimers } from "../../src/services/timers/sla.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack-api.ts";
import {
  appProcessEnv,
  defaultUsers,
  PEOPLE,
  startTestApp,
  type TestApp,
  testGovernorYaml,
} from "../support/app.ts";
import { createTestDatabase } from "../support/pg.ts";
import { freePort, spawnTs, waitForHealthy } from "../support/process.ts";
import {
  auditTypes,
  deadlinesOf,
  deleteQueueKeys,
  dmsTo,
  insertAdr,
  outboxTo,
  postsWith,
  shiftedClock,
  sleep,
  until,
} from "../support/timers.ts";

const now = shiftedClock();
const yaml = testGovernorYaml({ sla: { tier1: "PT6S", tier2: "PT300S" } });
let db: { url: string; drop: () => Promise<void> };
let fake: FakeSlack;
const prefix = `agovtimers${Math.random().toString(36).slice(2, 8)}`;
const apps: TestApp[] = [];

async function start(): Promise<TestApp> {
  const app = await startTestApp({ now, yaml, databaseUrl: db.url, fake, queuePrefix: prefix });
  apps.push(app);
  return app;
}

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startFakeSlack({ users: defaultUsers() });
});
afterAll(async () => {
  for (const app of apps) await app.close().catch(() => {});
  await deleteQueueKeys(prefix);
  await fake?.close();
  await db?.drop();
});

const tag = (adrId: number) => `ADR #${adrId},`;
const breachPosts = (adrId: number) =>
  postsWith(fake, tag(adrId)).filter((c) => String(c.args.text).includes("SLA for"));

async function startClock(app: TestApp, adrId: number, tier: 1 | 2) {
  const deps = app.governor.deps;
  return inTransaction(deps, (tx, fx) => scheduleSlaTimers(tx, fx, deps, { adrId, tier, startedAt: now() }));
}

/** Fires by hand what is due on the app's clock (as a timer does). */
const fireDue = (deps: Deps) => fireDueDeadlines(deps, DEADLINE_HANDLERS, { cutoff: now(), batchSize: 100 });

/** Two reminders and one escalation, each exactly once, and nothing more a while later. */
async function expectFiredOnce(app: TestApp, adrId: number) {
  await until(
    () => breachPosts(adrId).length >= 1 && dmsTo(fake, PEOPLE.techOwner, tag(adrId)).length >= 2,
    40_000,
  );
  await sleep(1000);
  expect(
    dmsTo(fake, PEOPLE.techOwner, tag(adrId)).map((c) => String(c.args.text).match(/\d+%/)?.[0]),
  ).toEqual(["50%", "90%"]);
  expect(breachPosts(adrId)).toHaveLength(1);
  const rows = await deadlinesOf(app.governor.deps.db, "adr", adrId);
  expect(rows.map((d) => d.status)).toEqual(["fired", "fired", "fired"]);
}

describe("timers survive Redis loss, restarts, crashes and a second instance", () => {
  it("firing the same deadline twice at once has one effect", async () => {
    const app = await start();
    const deps = app.governor.deps;
    const { adrId, agentId } = await insertAdr(deps.db, { tier: 1 });
    // Rows only, no Redis job: this test fires by hand. A 6 s SLA started 3.2 s ago:
    // its 50% point is just behind, its 90% point ahead.
    await deps.db.transaction((tx) =>
      scheduleSlaTimers(tx, new Effects(), deps, {
        adrId,
        tier: 1,
        startedAt: new Date(now().getTime() - 3200),
      }),
    );
    const [first] = await deadlinesOf(deps.db, "adr", adrId);
    const batches = await Promise.all([fireDue(deps), fireDue(deps)]);
    const firings = batches.flatMap((b) => b.fired).filter((d) => d.id === first!.id);
    expect(firings).toHaveLength(1);
    const reminders = (await outboxTo(deps.db, PEOPLE.techOwner)).filter((o) =>
      String((o.payload as { text: string }).text).includes(tag(adrId)),
    );
    expect(reminders).toHaveLength(1);
    expect((await auditTypes(deps.db, agentId)).filter((t) => t === "sla_reminder_sent")).toHaveLength(1);
    expect((await fireDue(deps)).fired.map((d) => d.id)).not.toContain(first!.id);
    await app.close();
  });

  it("after Redis loses our keys, a restart rebuilds every timer from Postgres and each fires once", async () => {
    const a = await start();
    const { adrId } = await insertAdr(a.governor.deps.db, { tier: 1 });
    await startClock(a, adrId, 1);
    await a.close();
    expect(await deleteQueueKeys(prefix)).toBeGreaterThan(0);
    await sleep(3300); // the 50% reminder falls due while nothing runs
    const b = await start();
    await expectFiredOnce(b, adrId);
    await b.close();
  });

  /** Holds the ADR row in another session so that its SLA handler blocks inside its transaction. */
  async function holdAdr(adrId: number) {
    const outside = postgres(db.url, { max: 2, onnotice: () => {} });
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const locked = new Promise<void>((resolve, reject) => {
      outside
        .begin(async (sql) => {
          await sql`select id from adrs where id = ${adrId} for update`;
          resolve();
          await held;
        })
        .catch(reject);
    });
    await locked;
    const blocked = async () =>
      (
        await outside`select pid from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query ilike '%adrs%'`
      ).map((r) => Number(r.pid));
    return {
      blocked,
      async cancelBlocked() {
        for (const pid of await blocked()) await outside`select pg_cancel_backend(${pid})`;
      },
      async release() {
        release();
        await sleep(50);
        await outside.end({ timeout: 5 });
      },
    };
  }

  const keyStatus = async (app: TestApp, key: string) =>
    (await app.governor.deps.db.select().from(deadlines).where(eq(deadlines.key, key)))[0]?.status;

  it("a firing transaction that dies mid-way rolls back; retried after a restart, the reminder is sent once", async () => {
    const a = await start();
    const { adrId } = await insertAdr(a.governor.deps.db, { tier: 1 });
    await startClock(a, adrId, 1);
    const lock = await holdAdr(adrId);
    await until(async () => (await lock.blocked()).length > 0, 10_000);
    expect(await keyStatus(a, `adr-${adrId}-sla-50`)).toBe("pending"); // fired, but not committed
    await lock.cancelBlocked(); // its transaction fails mid-way
    const [r50] = await deadlinesOf(a.governor.deps.db, "adr", adrId);
    const job = () => a.governor.deps.jobs.queue.getJob(timerJobId(windowEnd(r50!.dueAt)));
    await until(async () => (await (await job())?.getState()) === "delayed", 5000); // attempt 1 failed
    expect(await keyStatus(a, `adr-${adrId}-sla-50`)).toBe("pending");
    await lock.release();
    await a.close();
    const b = await start();
    await expectFiredOnce(b, adrId);
    await b.close();
  });

  it("an app process killed while firing: the next instance recovers the timer and it fires once", async () => {
    // The app under the real clock, as a process of its own, so it can really die.
    const dir = mkdtempSync(join(tmpdir(), "agov-timers-"));
    writeFileSync(join(dir, "governor.yaml"), stringify(yaml));
    const env = appProcessEnv({
      slackApiUrl: fake.url,
      configPath: join(dir, "governor.yaml"),
      queuePrefix: prefix,
      databaseUrl: db.url,
      port: await freePort(),
    });
    // Rows only, written with a worker-less instance: a 300 s SLA started 147 s ago, so
    // its 50% point is 3 s away and its 90% point two minutes away.
    const writer = await startTestApp({
      yaml,
      databaseUrl: db.url,
      fake,
      queuePrefix: prefix,
      worker: false,
    });
    apps.push(writer);
    const wd = writer.governor.deps;
    const { adrId, agentId } = await insertAdr(wd.db, { tier: 2 });
    const startedAt = new Date(Date.now() - 147_000);
    await wd.db.transaction((tx) => scheduleSlaTimers(tx, new Effects(), wd, { adrId, tier: 2, startedAt }));
    const lock = await holdAdr(adrId);
    const { child } = spawnTs("src/main.ts", [], env, dir);
    const exited = new Promise((r) => child.once("exit", r));
    try {
      await waitForHealthy(`http://127.0.0.1:${env.PORT}`);
      await until(async () => (await lock.blocked()).length > 0, 20_000); // it fired and is mid-transaction
      child.kill("SIGKILL");
      await exited;
    } finally {
      child.kill("SIGKILL");
      await lock.release();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await keyStatus(writer, `adr-${adrId}-sla-50`)).toBe("pending");
    const b = await startTestApp({ yaml, databaseUrl: db.url, fake, queuePrefix: prefix });
    apps.push(b);
    // BullMQ's stalled-job check hands the job over once the dead worker's lock lapses (≤ 60 s).
    // Under a loaded machine (the whole suite in parallel) the hand-over itself can take longer.
    await until(async () => (await keyStatus(b, `adr-${adrId}-sla-50`)) === "fired", 105_000);
    await sleep(1000);
    const rows = (await outboxTo(b.governor.deps.db, PEOPLE.techOwner)).filter((o) =>
      String((o.payload as { text: string }).text).includes(tag(adrId)),
    );
    expect(rows.map((o) => String((o.payload as { text: string }).text).match(/\d+%/)?.[0])).toEqual(["50%"]);
    expect(
      (await auditTypes(b.governor.deps.db, agentId)).filter((t) => t === "sla_reminder_sent"),
    ).toHaveLength(1);
    await b.close();
  }, 150_000);

  it("a reminder that comes back after a later point of its clock is due is dropped", async () => {
    const app = await start();
    const deps = app.governor.deps;
    const { adrId, agentId } = await insertAdr(deps.db, { tier: 1 });
    // Rows only: a 6 s SLA that started 5.6 s ago has both reminder points behind it.
    await deps.db.transaction((tx) =>
      scheduleSlaTimers(tx, new Effects(), deps, {
        adrId,
        tier: 1,
        startedAt: new Date(now().getTime() - 5600),
      }),
    );
    const [r50, r90] = await deadlinesOf(deps.db, "adr", adrId);
    // One batch fires both, the 50% point first (due order).
    const fired = (await fireDue(deps)).fired.map((d) => d.id);
    expect(fired.filter((id) => id === r50!.id || id === r90!.id)).toEqual([r50!.id, r90!.id]);
    const sent = (await outboxTo(deps.db, PEOPLE.techOwner)).filter((o) =>
      String((o.payload as { text: string }).text).includes(tag(adrId)),
    );
    expect(sent.map((o) => String((o.payload as { text: string }).text).match(/\d+%/)?.[0])).toEqual(["90%"]);
    expect((await auditTypes(deps.db, agentId)).filter((t) => t === "sla_reminder_sent")).toHaveLength(1);
    await app.close();
  });

  it("two instances on one database and one queue never send the same reminder twice", async () => {
    const [a, b] = [await start(), await start()];
    const ids: number[] = [];
    for (let i = 0; i < 8; i++) {
      const { adrId } = await insertAdr(a.governor.deps.db, { tier: 1 });
      await startClock(i % 2 ? a : b, adrId, 1);
      ids.push(adrId);
    }
    // Make it harder: a duplicate timer under another id for every deadline, and both
    // instances reconciling and sweeping at once.
    for (const adrId of ids) {
      for (const d of await deadlinesOf(a.governor.deps.db, "adr", adrId)) {
        const [timer] = timerJobs([d.dueAt], now());
        await b.governor.deps.jobs.add("deadline.fire", timer!.data, {
          ...timer!.opts,
          jobId: `${timer!.opts.jobId}-dup`,
        });
      }
    }
    await Promise.all([reconcileTimers(a.governor.deps), reconcileTimers(b.governor.deps)]);
    await Promise.all([sweepMissedTimers(a.governor.deps, 0), sweepMissedTimers(b.governor.deps, 0)]);
    for (const adrId of ids) await expectFiredOnce(a, adrId);
  }, 120_000);
});
