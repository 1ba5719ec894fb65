import type { Job } from "bullmq";
import type { Deps } from "../../services/deps.ts";
import { CLAIM_MS } from "../../services/outbox/claim.ts";
import type { InlineDelivery, LeftForJob } from "../../services/outbox/deliver-now.ts";
import { dispatchEffects } from "../../services/run.ts";
import { type FiredBatch, fireDueDeadlines } from "../../services/timers/fire-due.ts";
import type { DeadlineHandlers } from "../../services/timers/fire.ts";
import { outboxJob } from "../map.ts";
import type { Processor } from "../worker.ts";

/** Deadlines fired per transaction. */
export const FIRE_BATCH = 100;
/** A timer that Redis hands over a hair before its time still fires its own window (not more). */
export const EARLY_MS = 500;
/** After a handler failed, other timers' first attempts leave its deadline alone this long. */
const FAILED_COOLDOWN_MS = 60_000;

/**
 * `deadline.fire`: a timer (see src/jobs/timers.ts). It fires every pending
 * deadline then due, in batches of `batchSize` (one transaction each, see
 * fireDueDeadlines), until none is left; after each commit it delivers the
 * Slack messages the handlers queued at once (written claimed by the firing
 * transaction, see flushOutbox, then sent by createInlineDelivery),
 * while the next batch fires, and enqueues outbox jobs only for what that
 * left. Several timers running at once, here or in other instances, take
 * disjoint batches.
 *
 * A handler that fails leaves its deadline pending and makes the timer fail
 * once the rest is done, so BullMQ retries it with back-off; meanwhile other
 * timers' first attempts skip that deadline, and if every retry fails the
 * sweep's timer takes it up again.
 */
export function deadlineFireProcessor(
  deps: Deps,
  handlers: DeadlineHandlers,
  delivery: InlineDelivery,
  batchSize = FIRE_BATCH,
): Processor<"deadline.fire"> {
  const failedUntil = new Map<number, number>();
  const coolingDown = (): number[] => {
    const now = Date.now();
    for (const [id, until] of failedUntil) if (until <= now) failedUntil.delete(id);
    return [...failedUntil.keys()];
  };

  const afterCommit = async (batch: FiredBatch): Promise<void> => {
    const outboxIds = batch.fx.outboxIds.splice(0);
    const claimed = batch.fx.claimedOutbox.splice(0);
    await dispatchEffects(deps, batch.fx);
    const failed = (ids: number[]) => (err: unknown) => {
      deps.logger.warn({ err: String(err) }, "inline delivery failed; the outbox jobs will deliver");
      return ids.map((outboxId) => ({ outboxId }));
    };
    const left = await Promise.all([
      delivery.deliverClaimed(claimed).catch(failed(claimed.map((i) => i.id))),
      delivery.deliver(outboxIds).catch(failed(outboxIds)),
    ]);
    await enqueueOutboxJobs(deps, left.flat());
  };

  return async ({ at }, job: Job) => {
    const failedHere: number[] = [];
    let firstError: unknown;
    const delivering: Promise<void>[] = [];
    try {
      for (;;) {
        const now = deps.now().getTime();
        const cutoff = new Date(Math.max(now, Math.min(at, now + EARLY_MS)));
        // A retry takes up the deadlines that failed before; a first attempt leaves them to theirs.
        const skip = [...(job.attemptsMade > 0 ? [] : coolingDown()), ...failedHere];
        const batch = await fireDueDeadlines(deps, handlers, {
          cutoff,
          batchSize,
          skip,
          claimOutboxMs: CLAIM_MS,
        });
        for (const { id, error } of batch.failed) {
          failedHere.push(id);
          failedUntil.set(id, Date.now() + FAILED_COOLDOWN_MS);
          firstError ??= error;
        }
        delivering.push(afterCommit(batch));
        if (batch.claimed < batchSize) break;
      }
    } finally {
      await Promise.all(delivering);
    }
    if (firstError !== undefined) throw firstError;
  };
}

async function enqueueOutboxJobs(deps: Deps, left: LeftForJob[]): Promise<void> {
  if (!left.length) return;
  const now = deps.now();
  try {
    await deps.jobs.addBulk(left.map(({ outboxId, at }) => outboxJob(outboxId, now, at)));
  } catch (err) {
    deps.logger.warn({ err: String(err) }, "could not enqueue outbox jobs; the sweep will");
  }
}
