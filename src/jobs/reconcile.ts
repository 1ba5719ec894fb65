import type { Job } from "bullmq";
import { and, eq, lte } from "drizzle-orm";
import { deadlines, outbox } from "../db/schema/index.ts";
import type { Deps } from "../services/deps.ts";
import { pendingDeadlinesPage } from "../services/timers/fire.ts";
import { JOB_PAYLOADS, outboxJob } from "./map.ts";
import { dropEmptyTimers, timerJobId, timerJobs } from "./timers.ts";

export interface ReconcileReport {
  deadlines: number;
  outbox: number;
  orphansRemoved: number;
  ms: number;
}

/**
 * Postgres is the truth, Redis only holds timers. At start-up every pending
 * deadline gets its timer back and every pending outbox item its job (ids
 * are deterministic, so an existing job is left alone), and timers with no
 * pending deadline left in their window are removed. A deadline already past
 * fires at once, once.
 */
export async function reconcileTimers(deps: Deps): Promise<ReconcileReport> {
  const started = Date.now();
  let count = 0;
  let after = 0;
  const added = new Set<number>();
  for (;;) {
    const page = await pendingDeadlinesPage(deps, after, 5000);
    if (!page.length) break;
    const now = deps.now();
    const timers = timerJobs(
      page.map((d) => d.dueAt),
      now,
    ).filter((t) => !added.has(t.data.at));
    for (const t of timers) added.add(t.data.at);
    await deps.jobs.addBulk(timers);
    count += page.length;
    after = page[page.length - 1]!.id;
  }
  const pendingOutbox = await deps.db
    .select({ id: outbox.id, deliverAfter: outbox.deliverAfter })
    .from(outbox)
    .where(eq(outbox.status, "pending"));
  const now = deps.now();
  await deps.jobs.addBulk(pendingOutbox.map((o) => outboxJob(o.id, now, o.deliverAfter)));
  const orphansRemoved = await removeOrphanTimers(deps);
  return { deadlines: count, outbox: pendingOutbox.length, orphansRemoved, ms: Date.now() - started };
}

/** Delayed timers whose window holds no pending deadline (or whose payload is not a timer's). */
async function removeOrphanTimers(deps: Deps): Promise<number> {
  // Collect first, remove after: removing while paging would shift the pages.
  const windows: number[] = [];
  const malformed: Job[] = [];
  const pageSize = 2000;
  for (let start = 0; ; start += pageSize) {
    const jobs = await deps.jobs.queue.getDelayed(start, start + pageSize - 1);
    if (!jobs.length) {
      if ((await deps.jobs.queue.getDelayedCount()) <= start + pageSize) break;
      continue;
    }
    for (const job of jobs) {
      if (job?.name !== "deadline.fire") continue;
      const payload = JOB_PAYLOADS["deadline.fire"].safeParse(job.data);
      if (payload.success && job.id === timerJobId(payload.data.at)) windows.push(payload.data.at);
      else malformed.push(job);
    }
  }
  for (const job of malformed) await job.remove().catch(() => {});
  let removed = malformed.length;
  for (let i = 0; i < windows.length; i += 5000)
    removed += await dropEmptyTimers(deps, windows.slice(i, i + 5000));
  return removed;
}

/**
 * The safety net when Redis loses jobs (eviction, no persistence): if any
 * pending deadline is overdue by more than a grace period, a timer for the
 * next window is added (it fires every deadline due); pending outbox items
 * whose time has passed are enqueued again. Duplicates are no-ops by job id
 * and by the processors' conditional updates.
 */
export async function sweepMissedTimers(
  deps: Deps,
  graceMs = 30_000,
): Promise<{ deadlines: number; outbox: number }> {
  const now = deps.now();
  const cutoff = new Date(now.getTime() - graceMs);
  const late = await deps.db
    .select({ id: deadlines.id })
    .from(deadlines)
    .where(and(eq(deadlines.status, "pending"), lte(deadlines.dueAt, cutoff)))
    .limit(5000);
  const stuck = await deps.db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.status, "pending"), lte(outbox.deliverAfter, cutoff)))
    .limit(5000);
  await deps.jobs.addBulk([
    ...(late.length ? timerJobs([now], now) : []),
    ...stuck.map((o) => outboxJob(o.id, now)),
  ]);
  return { deadlines: late.length, outbox: stuck.length };
}
