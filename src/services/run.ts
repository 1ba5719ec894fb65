import type { Tx } from "../db/client.ts";
import { outboxJob } from "../jobs/map.ts";
import { dropEmptyTimers, timerJobs, windowEnd } from "../jobs/timers.ts";
import type { Deps } from "./deps.ts";
import { Effects, flushOutbox } from "./effects.ts";

/**
 * Runs a service body in one transaction (state change + audit entry +
 * outbox intents + deadline rows), then, only after the commit, puts the
 * matching jobs in Redis. If Redis is down the rows stay pending and the
 * sweep and the start-up reconciler enqueue them later: nothing is lost.
 */
export async function inTransaction<T>(deps: Deps, body: (tx: Tx, fx: Effects) => Promise<T>): Promise<T> {
  const fx = new Effects();
  const result = await deps.db.transaction(async (tx) => {
    const value = await body(tx, fx);
    await flushOutbox(tx, fx);
    return value;
  });
  await dispatchEffects(deps, fx);
  return result;
}

export async function dispatchEffects(
  deps: Pick<Deps, "db" | "jobs" | "logger" | "now">,
  fx: Effects,
): Promise<void> {
  if (fx.deferredOutbox.length) {
    // A transaction runner that does not flush (see flushOutbox): a bug, never a silent loss.
    deps.logger.error({ messages: fx.deferredOutbox.length }, "deferred outbox messages were never written");
  }
  try {
    const now = deps.now();
    const jobs = [
      // Rows written claimed that no one delivered: their jobs wait for the claim to lapse.
      ...[...fx.outboxIds, ...fx.claimedOutbox.map((row) => row.id)].map((id) => outboxJob(id, now)),
      ...timerJobs(
        fx.scheduled.map((d) => d.dueAt),
        now,
      ),
    ];
    if (jobs.length) await deps.jobs.addBulk(jobs);
    // Timers of deadlines cancelled or moved: removed if nothing else is due in their window.
    if (fx.vacated.length) await dropEmptyTimers(deps, fx.vacated.map(windowEnd));
  } catch (err) {
    deps.logger.warn(
      { err: (err as Error).message },
      "could not enqueue jobs after commit; the sweep will retry",
    );
  }
}
