import type { Job } from "bullmq";
import { and, eq, inArray, lte } from "drizzle-orm";
import { stillPending } from "../db/pending.ts";
import { deadlines, outbox } from "../db/schema/index.ts";
import type { Deps } from "../services/deps.ts";
import { pendingDeadlinesPage } from "../services/timers/fire.ts";
import { outboxJobId } from "./map.ts";

export interface ReconcileReport {
  deadlines: number;
  outbox: number;
  orphansRemoved: number;
  ms: number;
}

/**
 * Postgres is the truth, Redis only holds timers. At start-up every pending
 * deadline and outbox item gets its job back (ids are natural keys, so an
 * existing job is left alone), and delayed timers whose deadline is no longer
 * pending are removed. A deadline already past fires at once, once.
 */
export async function reconcileTimers(deps: Deps): Promise<ReconcileReport> {
  const started = Date.now();
  let count = 0;
  let after = 0;
  for (;;) {
    const page = await pendingDeadlinesPage(deps, after, 5000);
    if (!page.length) break;
    const now = deps.now().getTime();
    await deps.jobs.addBulk(
      page.map((d) => ({
        name: "deadline.fire" as const,
        data: { deadlineId: d.id },
        opts: { jobId: d.key, delay: Math.max(0, d.dueAt.getTime() - now) },
      })),
    );
    count += page.length;
    after = page[page.length - 1]!.id;
  }
  const pendingOutbox = await deps.db
    .select({ id: outbox.id, deliverAfter: outbox.deliverAfter })
    .from(outbox)
    .where(eq(outbox.status, "pending"));
  const now = deps.now().getTime();
  await deps.jobs.addBulk(
    pendingOutbox.map((o) => ({
      name: "outbox.deliver" as const,
      data: { outboxId: o.id },
      opts: { jobId: outboxJobId(o.id), delay: Math.max(0, o.deliverAfter.getTime() - now) },
    })),
  );
  const orphansRemoved = await removeOrphanTimers(deps);
  return { deadlines: count, outbox: pendingOutbox.length, orphansRemoved, ms: Date.now() - started };
}

async function removeOrphanTimers(deps: Deps): Promise<number> {
  // Collect first, remove after: removing while paging would shift the pages.
  const orphans: Job[] = [];
  const pageSize = 2000;
  for (let start = 0; ; start += pageSize) {
    const jobs = (await deps.jobs.queue.getDelayed(start, start + pageSize - 1)).filter(
      (j) => j?.name === "deadline.fire",
    );
    if (!jobs.length) {
      if ((await deps.jobs.queue.getDelayedCount()) <= start + pageSize) break;
      continue;
    }
    const idOf = (j: Job) => Number((j.data as { deadlineId: number }).deadlineId);
    const live = await deps.db
      .select({ id: deadlines.id })
      .from(deadlines)
      .where(and(inArray(deadlines.id, jobs.map(idOf)), stillPending(deadlines.status)));
    const liveIds = new Set(live.map((r) => r.id));
    for (const job of jobs) if (!liveIds.has(idOf(job))) orphans.push(job);
  }
  for (const job of orphans) await job.remove().catch(() => {});
  return orphans.length;
}

/**
 * The safety net when Redis loses jobs (eviction, no persistence): pending
 * deadlines overdue by more than a grace period, and pending outbox items,
 * are enqueued again. Duplicates are no-ops by job id and by the processors'
 * conditional updates.
 */
export async function sweepMissedTimers(
  deps: Deps,
  graceMs = 30_000,
): Promise<{ deadlines: number; outbox: number }> {
  const cutoff = new Date(deps.now().getTime() - graceMs);
  const late = await deps.db
    .select({ id: deadlines.id, key: deadlines.key })
    .from(deadlines)
    .where(and(eq(deadlines.status, "pending"), lte(deadlines.dueAt, cutoff)))
    .limit(5000);
  const stuck = await deps.db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.status, "pending"), lte(outbox.deliverAfter, cutoff)))
    .limit(5000);
  await deps.jobs.addBulk([
    ...late.map((d) => ({
      name: "deadline.fire" as const,
      data: { deadlineId: d.id },
      opts: { jobId: d.key },
    })),
    ...stuck.map((o) => ({
      name: "outbox.deliver" as const,
      data: { outboxId: o.id },
      opts: { jobId: outboxJobId(o.id) },
    })),
  ]);
  return { deadlines: late.length, outbox: stuck.length };
}
