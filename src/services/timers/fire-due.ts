import { and, asc, eq, inArray, lte, ne, notInArray } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { stillPending } from "../../db/pending.ts";
import { type DeadlineRow, deadlines } from "../../db/schema/index.ts";
import type { Deps } from "../deps.ts";
import { Effects, flushOutbox } from "../effects.ts";
import type { DeadlineHandlers } from "./fire.ts";

/** What one firing transaction did. */
export interface FiredBatch {
  /** The deadline whose job ran was fired (by this batch). */
  ownFired: boolean;
  /** Its handler's error: it stays pending and its job retries it. */
  ownError?: unknown;
  /** Every deadline this batch fired, the job's own included, in due order. */
  fired: Pick<DeadlineRow, "id" | "key">[];
  /** Other deadlines whose handler failed; they stay pending for their own jobs. */
  failed: number[];
  /** The committed handlers' effects, for after the commit. */
  fx: Effects;
}

/** Tolerance for a timer that Redis fires a hair early (the job's own deadline only). */
export const EARLY_MS = 500;

export interface FirePlan {
  /** The deadline whose job runs. */
  deadlineId: number;
  /** How many other due deadlines to fire with it (0: only its own). */
  batchSize: number;
  /** Deadlines not to claim now (their handler failed a moment ago). */
  skip?: number[];
  /** Told, inside the transaction, which deadlines it claimed (before their handlers run). */
  onClaim?: (ids: number[]) => void;
}

/**
 * Fires a job's deadline together with every other pending deadline already
 * due (up to `batchSize`), in one transaction, so that a burst of timers
 * costs one commit per batch instead of one per timer, and is fired by
 * whichever jobs run first rather than each waiting for its own.
 *
 * Exactly once, across instances: the job's own row is claimed by a
 * conditional UPDATE that waits for any batch holding it and then sees it
 * fired; the others are claimed with FOR UPDATE SKIP LOCKED, so concurrent
 * batches take disjoint sets. Every claimed row is marked fired before the
 * handlers run (handlers re-read their subject, so one whose subject moved
 * on earlier in the batch does nothing).
 *
 * A failing handler never costs the others: the batch is rolled back and
 * fired again without that deadline, now with each handler in a savepoint.
 * A failed deadline stays pending; its own job retries it with back-off.
 */
export async function fireDueDeadlines(
  deps: Deps,
  handlers: DeadlineHandlers,
  plan: FirePlan,
): Promise<FiredBatch> {
  const first = { ...plan, skip: plan.skip ?? [], onClaim: plan.onClaim ?? (() => {}) };
  try {
    return await fireBatch(deps, handlers, first, false);
  } catch (err) {
    if (!(err instanceof HandlerFailed)) throw err;
    const own = err.deadlineId === plan.deadlineId;
    if (own && plan.batchSize <= 0) throw err.cause;
    deps.logger.warn({ deadlineId: err.deadlineId, err: String(err.cause) }, "deadline handler failed");
    const again = await fireBatch(deps, handlers, { ...first, skip: [...first.skip, err.deadlineId] }, true);
    if (own) again.ownError = err.cause;
    else again.failed.push(err.deadlineId);
    return again;
  }
}

class HandlerFailed extends Error {
  constructor(
    readonly deadlineId: number,
    override readonly cause: unknown,
  ) {
    super(`deadline ${deadlineId}: ${String((cause as Error)?.message ?? cause)}`);
  }
}

async function fireBatch(
  deps: Deps,
  handlers: DeadlineHandlers,
  plan: Required<FirePlan>,
  isolate: boolean,
): Promise<FiredBatch> {
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const claimed = await claim(tx, plan, now);
    plan.onClaim(claimed.map((d) => d.id));
    const batch: FiredBatch = { ownFired: false, fired: [], failed: [], fx: new Effects() };
    for (const deadline of claimed) {
      const handler = handlers[deadline.kind];
      const run = async (htx: Tx, fx: Effects) => {
        if (!handler) throw new Error(`no handler for deadline kind ${deadline.kind}`);
        await handler({ deps, tx: htx, fx, deadline, now });
      };
      if (!isolate) {
        await run(tx, batch.fx).catch((err: unknown) => {
          throw new HandlerFailed(deadline.id, err);
        });
      } else {
        const fx = new Effects();
        try {
          await tx.transaction(async (savepoint) => {
            await run(savepoint, fx);
            await flushOutbox(savepoint, fx);
          });
        } catch (err) {
          batch.failed.push(deadline.id);
          if (deadline.id === plan.deadlineId) batch.ownError = err;
          deps.logger.warn({ deadlineId: deadline.id, err: String(err) }, "deadline handler failed");
          continue;
        }
        mergeEffects(batch.fx, fx);
      }
      batch.fired.push({ id: deadline.id, key: deadline.key });
      if (deadline.id === plan.deadlineId) batch.ownFired = true;
    }
    // The handlers' messages, in one INSERT (see deferOutbox).
    await flushOutbox(tx, batch.fx);
    if (batch.failed.length) {
      await tx
        .update(deadlines)
        .set({ status: "pending", firedAt: null })
        .where(inArray(deadlines.id, batch.failed));
    }
    batch.failed = batch.failed.filter((id) => id !== plan.deadlineId);
    return batch;
  });
}

/** Marks the job's own deadline (if due) and up to `batchSize` other due ones fired; returns them in due order. */
async function claim(tx: Tx, plan: Required<FirePlan>, now: Date): Promise<DeadlineRow[]> {
  const fired = { status: "fired", firedAt: now };
  const own = plan.skip.includes(plan.deadlineId)
    ? []
    : await tx
        .update(deadlines)
        .set(fired)
        .where(
          and(
            eq(deadlines.id, plan.deadlineId),
            stillPending(deadlines.status),
            lte(deadlines.dueAt, new Date(now.getTime() + EARLY_MS)),
          ),
        )
        .returning();
  if (plan.batchSize <= 0) return own;
  const due = tx
    .select({ id: deadlines.id })
    .from(deadlines)
    .where(
      and(
        eq(deadlines.status, "pending"),
        lte(deadlines.dueAt, now),
        ne(deadlines.id, plan.deadlineId),
        plan.skip.length ? notInArray(deadlines.id, plan.skip) : undefined,
      ),
    )
    .orderBy(asc(deadlines.dueAt), asc(deadlines.id))
    .limit(plan.batchSize)
    .for("update", { skipLocked: true });
  const others = await tx.update(deadlines).set(fired).where(inArray(deadlines.id, due)).returning();
  others.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id);
  return [...own, ...others];
}

function mergeEffects(into: Effects, from: Effects): void {
  into.outboxIds.push(...from.outboxIds);
  into.scheduled.push(...from.scheduled);
  into.cancelledKeys.push(...from.cancelledKeys);
}
