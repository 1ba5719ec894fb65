import { and, asc, eq, inArray, lte, notInArray } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { type DeadlineRow, deadlines } from "../../db/schema/index.ts";
import type { Deps } from "../deps.ts";
import { Effects, flushOutbox } from "../effects.ts";
import type { DeadlineHandlers } from "./fire.ts";

/** What one firing transaction did. */
export interface FiredBatch {
  /** How many due deadlines it took (fired or failed): fewer than the batch size means none was left. */
  claimed: number;
  /** Every deadline it fired, in due order. */
  fired: Pick<DeadlineRow, "id" | "key">[];
  /** Deadlines whose handler failed: they stay pending, with no effect. */
  failed: { id: number; error: unknown }[];
  /** The committed handlers' effects, for after the commit. */
  fx: Effects;
}

export interface FirePlan {
  /** Fire the pending deadlines due at or before this instant. */
  cutoff: Date;
  /** How many at most (the earliest first). */
  batchSize: number;
  /** Deadlines not to take now (their handler failed a moment ago). */
  skip?: number[];
  /**
   * Write the handlers' messages claimed for this long, for the caller to
   * deliver right after the commit (see flushOutbox); without it they are
   * left to outbox jobs.
   */
  claimOutboxMs?: number;
}

/**
 * Fires the pending deadlines due by `cutoff` (up to `batchSize`, earliest
 * first) in one transaction, so that a burst of timers costs one commit per
 * batch instead of one per deadline.
 *
 * Exactly once, across instances: the rows are claimed with FOR UPDATE SKIP
 * LOCKED and marked fired in the same statement, so concurrent batches take
 * disjoint sets and a committed row is never taken again. Every claimed row is
 * marked fired before the handlers run (handlers re-read their subject, so one
 * whose subject moved on earlier in the batch does nothing).
 *
 * A failing handler never costs the others: the batch is rolled back and
 * fired again without that deadline, now with each handler in a savepoint.
 * A failed deadline stays pending (the timer's job retries it with back-off).
 */
export async function fireDueDeadlines(
  deps: Deps,
  handlers: DeadlineHandlers,
  plan: FirePlan,
): Promise<FiredBatch> {
  const first: Plan = { ...plan, skip: plan.skip ?? [] };
  try {
    return await fireBatch(deps, handlers, first, false);
  } catch (err) {
    if (!(err instanceof HandlerFailed)) throw err;
    deps.logger.warn({ deadlineId: err.deadlineId, err: String(err.cause) }, "deadline handler failed");
    const again = await fireBatch(deps, handlers, { ...first, skip: [...first.skip, err.deadlineId] }, true);
    again.failed.unshift({ id: err.deadlineId, error: err.cause });
    again.claimed += 1;
    return again;
  }
}

type Plan = FirePlan & { skip: number[] };

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
  plan: Plan,
  isolate: boolean,
): Promise<FiredBatch> {
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const claimed = await claim(tx, plan, now);
    const batch: FiredBatch = { claimed: claimed.length, fired: [], failed: [], fx: new Effects() };
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
            await flushOutbox(savepoint, fx, plan.claimOutboxMs);
          });
        } catch (err) {
          batch.failed.push({ id: deadline.id, error: err });
          deps.logger.warn({ deadlineId: deadline.id, err: String(err) }, "deadline handler failed");
          continue;
        }
        mergeEffects(batch.fx, fx);
      }
      batch.fired.push({ id: deadline.id, key: deadline.key });
    }
    // The handlers' messages, in one INSERT (see deferOutbox).
    await flushOutbox(tx, batch.fx, plan.claimOutboxMs);
    if (batch.failed.length) {
      await tx
        .update(deadlines)
        .set({ status: "pending", firedAt: null })
        .where(
          inArray(
            deadlines.id,
            batch.failed.map((f) => f.id),
          ),
        );
    }
    return batch;
  });
}

/** Marks up to `batchSize` pending deadlines due by the cutoff fired; returns them in due order. */
async function claim(tx: Tx, plan: Plan, now: Date): Promise<DeadlineRow[]> {
  const due = tx
    .select({ id: deadlines.id })
    .from(deadlines)
    .where(
      and(
        eq(deadlines.status, "pending"),
        lte(deadlines.dueAt, plan.cutoff),
        plan.skip.length ? notInArray(deadlines.id, plan.skip) : undefined,
      ),
    )
    .orderBy(asc(deadlines.dueAt), asc(deadlines.id))
    .limit(plan.batchSize)
    .for("update", { skipLocked: true });
  const rows = await tx
    .update(deadlines)
    .set({ status: "fired", firedAt: now })
    .where(inArray(deadlines.id, due))
    .returning();
  return rows.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id);
}

function mergeEffects(into: Effects, from: Effects): void {
  into.claimedOutbox.push(...from.claimedOutbox);
  into.outboxIds.push(...from.outboxIds);
  into.scheduled.push(...from.scheduled);
  into.vacated.push(...from.vacated);
}
