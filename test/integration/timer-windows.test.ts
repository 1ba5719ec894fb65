import { eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadlines } from "../../src/db/schema/index.ts";
import { DEADLINE_HANDLERS } from "../../src/jobs/deadline-handlers.ts";
import { reconcileTimers, sweepMissedTimers } from "../../src/jobs/reconcile.ts";
import { timerJobId, windowEnd } from "../../src/jobs/timers.ts";
import type { Deps } from "../../src/services/deps.ts";
import {
  cancelDeadlines,
  deferOutbox,
  rescheduleDeadline,
  scheduleDeadline,
} from "../../src/services/effects.ts";
import { inTransaction } from "../../src/services/run.ts";
import type { DeadlineContext } from "../../src/services/timers/fire.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack-api.ts";
import { defaultUsers, PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import { createTestDatabase } from "../support/pg.ts";
import { deleteQueueKeys, until } from "../support/timers.ts";

/** A kind of deadline that DMs on-call its key. */
const KIND = "window_ping";
DEADLINE_HANDLERS[KIND] = async (ctx: DeadlineContext) => {
  deferOutbox(ctx.fx, { op: "dm", user: PEOPLE.oncall, message: { text: `window ${ctx.deadline.key}` } });
};

let fake: FakeSlack;
let db: { url: string; drop: () => Promise<void> };
const prefix = `agovwin${Math.random().toString(36).slice(2, 8)}`;
let idle: TestApp; // no worker: timers stay in Redis for inspection
beforeAll(async () => {
  fake = await startFakeSlack({ users: defaultUsers() });
  db = await createTestDatabase();
  idle = await startTestApp({ databaseUrl: db.url, fake, queuePrefix: prefix, worker: false });
});
afterAll(async () => {
  await idle?.close();
  await deleteQueueKeys(prefix);
  await db?.drop();
  await fake?.close();
});

const schedule = (deps: Deps, key: string, dueAt: Date) =>
  inTransaction(deps, (tx, fx) =>
    scheduleDeadline(tx, fx, { key, kind: KIND, subjectType: "window", subjectId: key, dueAt }),
  );
const timerOf = async (deps: Deps, dueAt: Date) =>
  (await deps.jobs.queue.getJob(timerJobId(windowEnd(dueAt)))) ?? null;
const timerIds = async (deps: Deps) =>
  (await deps.jobs.queue.getDelayed(0, -1)).filter((j) => j.name === "deadline.fire").map((j) => j.id);
const status = async (deps: Deps, key: string) =>
  (await deps.db.select().from(deadlines).where(eq(deadlines.key, key)))[0]?.status;
const dmsFor = (key: string) =>
  fake.callsTo("chat.postMessage").filter((c) => c.ok && c.args.text === `window ${key}`);

describe("timers: one delayed job per window of due times", () => {
  it("deadlines due in the same window share one timer; 1,000 due in a second take at most 100", async () => {
    const deps = idle.governor.deps;
    const base = Math.ceil((Date.now() + 60_000) / 1000) * 1000;
    await inTransaction(deps, async (tx, fx) => {
      for (let i = 0; i < 1000; i++)
        await scheduleDeadline(tx, fx, {
          key: `burst-${i}`,
          kind: KIND,
          subjectType: "window",
          subjectId: i,
          dueAt: new Date(base + 1 + i),
        });
    });
    const ids = (await timerIds(deps)).filter((id) => {
      const at = Number(String(id).slice("timer-".length));
      return at > base && at <= base + 1000;
    });
    expect(ids).toHaveLength(100);
    await deps.db.update(deadlines).set({ status: "cancelled" }).where(like(deadlines.key, "burst-%"));
    await reconcileTimers(deps); // they have nothing left to fire: gone
    expect(await timerOf(deps, new Date(base + 1))).toBeNull();
  });

  it("cancelling keeps a timer while its window holds another deadline, and removes it with the last", async () => {
    const deps = idle.governor.deps;
    const dueAt = new Date(Math.ceil((Date.now() + 120_000) / 10) * 10 - 3);
    await schedule(deps, "shared-a", dueAt);
    await schedule(deps, "shared-b", new Date(dueAt.getTime() + 1));
    const timer = await timerOf(deps, dueAt);
    expect(timer?.data).toEqual({ at: windowEnd(dueAt) });
    expect(await timer?.getState()).toBe("delayed");
    await inTransaction(deps, (tx, fx) => cancelDeadlines(tx, fx, "window", "shared-a"));
    expect(await timerOf(deps, dueAt)).not.toBeNull();
    await inTransaction(deps, (tx, fx) => cancelDeadlines(tx, fx, "window", "shared-b"));
    expect(await timerOf(deps, dueAt)).toBeNull();
  });

  it("moving a deadline moves its timer", async () => {
    const deps = idle.governor.deps;
    const from = new Date(Date.now() + 180_000);
    const to = new Date(Date.now() + 240_000);
    await schedule(deps, "moving", from);
    expect(await timerOf(deps, from)).not.toBeNull();
    await inTransaction(deps, (tx, fx) => rescheduleDeadline(tx, fx, "moving", to));
    expect(await timerOf(deps, from)).toBeNull();
    expect((await timerOf(deps, to))?.data).toEqual({ at: windowEnd(to) });
  });

  it("reconcile removes timers with nothing to fire and jobs that are no timer's, keeps the others", async () => {
    const deps = idle.governor.deps;
    const kept = new Date(Date.now() + 300_000);
    await schedule(deps, "kept", kept);
    const empty = windowEnd(new Date(Date.now() + 400_000));
    await deps.jobs.add("deadline.fire", { at: empty }, { jobId: timerJobId(empty), delay: 400_000 });
    await deps.jobs.queue.add("deadline.fire", { deadlineId: 7 }, { jobId: "adr-7-sla-50", delay: 400_000 });
    const report = await reconcileTimers(deps);
    expect(report.orphansRemoved).toBe(2);
    const ids = await timerIds(deps);
    expect(ids).toContain(timerJobId(windowEnd(kept)));
    expect(ids).not.toContain(timerJobId(empty));
    expect(ids).not.toContain("adr-7-sla-50");
  });

  it("a job an earlier version queued (one per deadline) fails once, without retries; its deadline still fires", async () => {
    const worker = await startTestApp({ databaseUrl: db.url, fake, queuePrefix: `${prefix}w` });
    try {
      const deps = worker.governor.deps;
      const key = "legacy-job";
      await schedule(deps, key, new Date(Date.now() + 300));
      // The earlier version's shape, put in Redis as it would be still waiting there.
      await deps.jobs.queue.add("deadline.fire", { deadlineId: 12345 }, { jobId: "legacy-1" });
      // Gone after its first attempt (a retry would keep it, delayed, for minutes).
      await until(async () => !(await deps.jobs.queue.getJob("legacy-1")), 5000);
      // The DM goes out after the firing commits: wait for it, not only for the status.
      await until(() => dmsFor(key).length > 0, 5000);
      expect(await status(deps, key)).toBe("fired");
      expect(dmsFor(key)).toHaveLength(1);
    } finally {
      await worker.close();
      await deleteQueueKeys(`${prefix}w`);
    }
  });

  it("after Redis loses every key, reconcile gives each window with a pending deadline its timer back", async () => {
    const deps = idle.governor.deps;
    const pending = await deps.db.select().from(deadlines).where(eq(deadlines.status, "pending"));
    const windows = new Set(pending.map((d) => timerJobId(windowEnd(d.dueAt))));
    expect(windows.size).toBeGreaterThan(1);
    await deleteQueueKeys(prefix);
    expect(await timerIds(deps)).toEqual([]);
    const report = await reconcileTimers(deps);
    expect(report.deadlines).toBe(pending.length);
    expect(new Set(await timerIds(deps))).toEqual(windows);
  });
});

describe("timers fire what is due", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ databaseUrl: db.url, fake, queuePrefix: prefix });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("a deadline scheduled when already due fires once, through the next window's timer", async () => {
    const deps = app.governor.deps;
    await schedule(deps, "already-due", new Date(Date.now() - 5000));
    await until(() => dmsFor("already-due").length === 1, 10_000);
    expect(await status(deps, "already-due")).toBe("fired");
  });

  it("an overdue deadline whose timer Redis lost is fired by the sweep's timer", async () => {
    const deps = app.governor.deps;
    // A row with no timer at all, as after a Redis restart without persistence.
    await deps.db.insert(deadlines).values({
      key: "lost-timer",
      kind: KIND,
      subjectType: "window",
      subjectId: "lost-timer",
      dueAt: new Date(Date.now() - 120_000),
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await status(deps, "lost-timer")).toBe("pending");
    const swept = await sweepMissedTimers(deps);
    expect(swept.deadlines).toBeGreaterThanOrEqual(1);
    await until(() => dmsFor("lost-timer").length === 1, 10_000);
    expect(await status(deps, "lost-timer")).toBe("fired");
  });
});
