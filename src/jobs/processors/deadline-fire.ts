import type { Deps } from "../../services/deps.ts";
import type { InlineDelivery, LeftForJob } from "../../services/outbox/deliver-now.ts";
import { dispatchEffects } from "../../services/run.ts";
import { type FiredBatch, fireDueDeadlines } from "../../services/timers/fire-due.ts";
import type { DeadlineHandlers } from "../../services/timers/fire.ts";
import { outboxJobId } from "../map.ts";
import type { Processor } from "../worker.ts";

/** Other due deadlines a firing job takes along (one transaction for all of them). */
export const FIRE_BATCH = 100;
/** After a handler failed, other batches leave its deadline to its own job (and back-off) this long. */
const FAILED_COOLDOWN_MS = 60_000;
/** Deadline ids this process fired lately, remembered so their jobs end without a query. */
const REMEMBERED_FIRED = 100_000;

/**
 * `deadline.fire`: fires the job's deadline with every other one already due
 * (see fireDueDeadlines), then, after the commit, removes the now pointless
 * jobs of the others, delivers the Slack messages the handlers queued at once
 * (see createInlineDelivery) and enqueues outbox jobs only for what that left.
 *
 * A job whose deadline a batch of this process holds waits for that batch
 * (without a database connection) and ends if it fired it; anything else goes
 * through the database, where the conditional updates decide.
 */
export function deadlineFireProcessor(
  deps: Deps,
  handlers: DeadlineHandlers,
  delivery: InlineDelivery,
  batchSize = FIRE_BATCH,
): Processor<"deadline.fire"> {
  const failedUntil = new Map<number, number>();
  const inFlight = new Map<number, Promise<unknown>>();
  const firedHere = new Set<number>();
  const coolingDown = (): number[] => {
    const now = Date.now();
    for (const [id, until] of failedUntil) if (until <= now) failedUntil.delete(id);
    return [...failedUntil.keys()];
  };
  const remember = (batch: FiredBatch) => {
    for (const { id } of batch.fired) firedHere.add(id);
    for (const id of firedHere) {
      if (firedHere.size <= REMEMBERED_FIRED) break;
      firedHere.delete(id); // oldest first
    }
  };

  return async ({ deadlineId }) => {
    await inFlight.get(deadlineId)?.catch(() => {});
    if (firedHere.has(deadlineId)) return;
    let claimed: number[] = [];
    const firing = fireDueDeadlines(deps, handlers, {
      deadlineId,
      batchSize,
      skip: coolingDown().filter((id) => id !== deadlineId), // its own job retries it
      onClaim: (ids) => {
        claimed = [...claimed, ...ids];
        for (const id of ids) inFlight.set(id, firing);
      },
    });
    const batch = await firing.finally(() => {
      for (const id of claimed) if (inFlight.get(id) === firing) inFlight.delete(id);
    });
    remember(batch);
    const failed = batch.ownError === undefined ? batch.failed : [...batch.failed, deadlineId];
    for (const id of failed) failedUntil.set(id, Date.now() + FAILED_COOLDOWN_MS);

    const outboxIds = batch.fx.outboxIds.splice(0);
    await dispatchEffects(deps, batch.fx);
    const others = batch.fired.filter((d) => d.id !== deadlineId).map((d) => d.key);
    const [left] = await Promise.all([
      delivery.deliver(outboxIds).catch((err: unknown) => {
        deps.logger.warn({ err: String(err) }, "inline delivery failed; the outbox jobs will deliver");
        return outboxIds.map((outboxId) => ({ outboxId }));
      }),
      // Their deadlines are fired: the jobs would only find that out.
      Promise.all(others.map((key) => deps.jobs.remove(key).catch(() => {}))),
    ]);
    await enqueueOutboxJobs(deps, left);
    if (batch.ownError !== undefined) throw batch.ownError;
  };
}

async function enqueueOutboxJobs(deps: Deps, left: LeftForJob[]): Promise<void> {
  if (!left.length) return;
  const now = deps.now().getTime();
  try {
    await deps.jobs.addBulk(
      left.map(({ outboxId, at }) => ({
        name: "outbox.deliver" as const,
        data: { outboxId },
        opts: { jobId: outboxJobId(outboxId), delay: at ? Math.max(0, at.getTime() - now) : 0 },
      })),
    );
  } catch (err) {
    deps.logger.warn({ err: String(err) }, "could not enqueue outbox jobs; the sweep will");
  }
}
