import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { queryRows } from "../src/db/client.ts";
import { deadlines } from "../src/db/schema/index.ts";
import { DEADLINE_HANDLERS } from "../src/jobs/deadline-handlers.ts";
import { reconcileTimers } from "../src/jobs/reconcile.ts";
import { timerJobs } from "../src/jobs/timers.ts";
import { deferOutbox } from "../src/services/effects.ts";
import type { DeadlineContext } from "../src/services/timers/fire.ts";
import { PEOPLE, startTestApp, type TestApp } from "../test/support/app.ts";
import { type RemoteFakeSlack, startRemoteFakeSlack } from "./fake-slack-process.ts";
import { deleteQueueKeys } from "../test/support/timers.ts";
import { fmt, summarise } from "./stats.ts";

/**
 * Issue 6's figures: scheduling and rebuilding 100,000 pending timers, the
 * Redis memory they take, and how late timers fire (due time → the Slack
 * call in the fake, which runs in a process of its own, as Slack would),
 * alone and 10,000 in the same second.
 */
const BENCH_KIND = "bench_ping";
const RECIPIENT = PEOPLE.oncall;
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

// A dedicated kind: one immediate DM (no working hours) naming the deadline.
DEADLINE_HANDLERS[BENCH_KIND] = async (ctx: DeadlineContext) => {
  deferOutbox(ctx.fx, {
    op: "dm",
    user: RECIPIENT,
    message: { text: `bench ${ctx.deadline.key}` },
  });
};

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

/** Exact bytes of this app's keys (MEMORY USAGE of each key under the prefix). */
async function prefixBytes(redis: Redis, prefix: string): Promise<{ keys: number; bytes: number }> {
  let cursor = "0";
  let keys = 0;
  let bytes = 0;
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 5000);
    cursor = next;
    if (!batch.length) continue;
    const pipe = redis.pipeline();
    for (const k of batch) pipe.memory("USAGE", k);
    for (const [, v] of (await pipe.exec()) ?? []) bytes += Number(v ?? 0);
    keys += batch.length;
  } while (cursor !== "0");
  return { keys, bytes };
}

/** Inserts pending deadline rows in batches and adds their timers in bulk, as dispatchEffects does. */
async function scheduleMany(
  t: TestApp,
  count: number,
  dueAt: (i: number) => Date,
  tag: string,
): Promise<number> {
  const deps = t.governor.deps;
  const started = performance.now();
  for (let from = 0; from < count; from += 5000) {
    const rows = Array.from({ length: Math.min(5000, count - from) }, (_, j) => {
      const i = from + j;
      return {
        key: `bench-${tag}-${i}`,
        kind: BENCH_KIND,
        subjectType: "bench",
        subjectId: String(i),
        dueAt: dueAt(i),
      };
    });
    const inserted = await deps.db
      .insert(deadlines)
      .values(rows)
      .returning({ id: deadlines.id, key: deadlines.key, dueAt: deadlines.dueAt });
    await deps.jobs.addBulk(
      timerJobs(
        inserted.map((d) => d.dueAt),
        new Date(),
      ),
    );
  }
  return performance.now() - started;
}

/** Waits until every bench DM of `tag` reached the fake; returns lateness (Slack call − due) per timer. */
async function lateness(
  slack: RemoteFakeSlack,
  tag: string,
  due: Map<string, number>,
  timeoutMs: number,
): Promise<number[]> {
  const prefix = `bench bench-${tag}-`;
  const end = Date.now() + timeoutMs;
  while ((await slack.count(prefix)) < due.size && Date.now() < end)
    await new Promise((r) => setTimeout(r, 100));
  const posted = await slack.posted(prefix);
  if (posted.length < due.size) console.log(`  (only ${posted.length} of ${due.size} arrived in time)`);
  return posted.map(([text, at]) => at - due.get(text.slice("bench ".length))!);
}

function report(label: string, samples: number[], budget: string): void {
  const s = summarise(samples);
  console.log(
    `${label}: p50 ${fmt(s.p50)}, p99 ${fmt(s.p99)}, max ${fmt(s.max)} (n=${s.n}; budget ${budget})`,
  );
}

export default async function timersBench(): Promise<void> {
  const redis = new Redis(redisUrl);
  // 1. 100,000 pending deadlines spread over the next 90 days (so nearly every one has a
  //    timer of its own, the worst case for Redis): schedule, memory, rebuild from Postgres.
  let t = await startTestApp();
  try {
    const count = 100_000;
    const memBefore = await usedMemory(redis);
    const spread = (i: number) =>
      new Date(Date.now() + 3_600_000 + ((i * 7_776_000_000) / count + (i % 7) * 997));
    const scheduleMs = await scheduleMany(t, count, spread, "pending");
    const memAfter = await usedMemory(redis);
    const own = await prefixBytes(redis, t.queuePrefix);
    console.log(
      `schedule ${count} pending deadlines (rows in batches of 5000 + addBulk): ${(scheduleMs / 1000).toFixed(1)} s, ${((count / scheduleMs) * 1000).toFixed(0)}/s`,
    );
    const timers = await t.governor.deps.jobs.queue.getDelayedCount();
    console.log(
      `Redis memory: INFO used_memory +${((memAfter - memBefore) / 1048576).toFixed(1)} MiB (shared server); this prefix: ${own.keys} keys, ${(own.bytes / 1048576).toFixed(1)} MiB for ${timers} timers, ${(own.bytes / timers).toFixed(0)} B per timer, ${(own.bytes / count).toFixed(0)} B per deadline`,
    );
    await deleteQueueKeys(t.queuePrefix);
    const report1 = await reconcileTimers(t.governor.deps);
    const rebuilt = await t.governor.deps.jobs.queue.getDelayedCount();
    console.log(
      `reconcile after deleting our Redis keys: ${report1.deadlines} pending deadlines, ${rebuilt} timers rebuilt in ${(report1.ms / 1000).toFixed(1)} s (budget < 30 s)`,
    );
    await t.governor.deps.db.execute(
      sql`update deadlines set status = 'cancelled' where kind = ${BENCH_KIND}`,
    );
  } finally {
    await t.close();
  }

  // 2. Firing lateness, on a fresh app, with the fake Slack in a process of its own.
  const slack = await startRemoteFakeSlack();
  t = await startTestApp({ env: { SLACK_API_URL: slack.url } });
  try {
    const isolated = 200;
    const t0 = Date.now() + 2000;
    const due = new Map<string, number>();
    await scheduleMany(
      t,
      isolated,
      (i) => {
        const at = t0 + i * 100;
        due.set(`bench-iso-${i}`, at);
        return new Date(at);
      },
      "iso",
    );
    report(
      "isolated timers (100 ms apart), due → Slack call",
      await lateness(slack, "iso", due, 60_000),
      "p99 < 250 ms",
    );

    const burst = 10_000;
    const b0 = Date.now() + 10_000; // time to insert and enqueue them all first
    const burstDue = new Map<string, number>();
    const scheduleMs = await scheduleMany(
      t,
      burst,
      (i) => {
        const at = b0 + Math.floor((i / burst) * 1000);
        burstDue.set(`bench-burst-${i}`, at);
        return new Date(at);
      },
      "burst",
    );
    if (Date.now() > b0) console.log(`  (scheduling the burst took ${fmt(scheduleMs)}, past its due time)`);
    const cpu0 = process.cpuUsage();
    const samples = await lateness(slack, "burst", burstDue, 180_000);
    const cpu = process.cpuUsage(cpu0);
    report(`${burst} timers due in the same second, due → Slack call`, samples, "p99 < 1.5 s");
    const fired = await queryRows<{ ms: string }>(
      t.governor.deps.db,
      sql`select extract(epoch from (fired_at - due_at)) * 1000 as ms from deadlines
          where kind = ${BENCH_KIND} and key like 'bench-burst-%' and status = 'fired'`,
    );
    report(
      "  of which due → deadline fired (handler committed)",
      fired.map((r) => Number(r.ms)),
      "—",
    );
    const elapsed = Math.max(...samples) + 1000;
    console.log(
      `  throughput: ${((burst / elapsed) * 1000).toFixed(0)} timers/s end to end (fire + DM delivery); the app's CPU: ${((cpu.user + cpu.system) / burst).toFixed(0)} µs per timer`,
    );
  } finally {
    await t.close();
    await slack.close();
    redis.disconnect();
  }
}
