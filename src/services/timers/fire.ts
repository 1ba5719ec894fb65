import { and, eq, lte, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { type DeadlineRow, deadlines } from "../../db/schema/index.ts";
import type { Deps } from "../deps.ts";
import type { Effects } from "../effects.ts";
import { inTransaction } from "../run.ts";

export interface DeadlineContext {
  deps: Deps;
  tx: Tx;
  fx: Effects;
  deadline: DeadlineRow;
  now: Date;
}

/**
 * A deadline kind's effect. It runs inside the transaction that marked the
 * deadline fired, so a crash rolls both back and the retry fires it once.
 * It must re-read its subject and do nothing if the state moved on.
 */
export type DeadlineHandler = (ctx: DeadlineContext) => Promise<void>;
export type DeadlineHandlers = Record<string, DeadlineHandler>;

/** Tolerance for a timer that Redis fires a hair early. */
const EARLY_MS = 500;

export type FireResult = "fired" | "not_pending" | "not_due";

export async function fireDeadline(
  deps: Deps,
  handlers: DeadlineHandlers,
  deadlineId: number,
): Promise<FireResult> {
  return inTransaction(deps, async (tx, fx) => {
    const now = deps.now();
    const [deadline] = await tx
      .update(deadlines)
      .set({ status: "fired", firedAt: now })
      .where(
        and(
          eq(deadlines.id, deadlineId),
          eq(deadlines.status, "pending"),
          lte(deadlines.dueAt, new Date(now.getTime() + EARLY_MS)),
        ),
      )
      .returning();
    if (!deadline) {
      const [row] = await tx
        .select({ status: deadlines.status })
        .from(deadlines)
        .where(eq(deadlines.id, deadlineId));
      return row?.status === "pending" ? "not_due" : "not_pending";
    }
    const handler = handlers[deadline.kind];
    if (!handler) throw new Error(`no handler for deadline kind ${deadline.kind}`);
    await handler({ deps, tx, fx, deadline, now });
    return "fired";
  });
}

export interface PendingTimer {
  id: number;
  key: string;
  dueAt: Date;
}

/** Pending deadlines in id order, a page at a time (reconcile streams them). */
export async function pendingDeadlinesPage(
  deps: Deps,
  afterId: number,
  limit: number,
): Promise<PendingTimer[]> {
  return deps.db
    .select({ id: deadlines.id, key: deadlines.key, dueAt: deadlines.dueAt })
    .from(deadlines)
    .where(and(eq(deadlines.status, "pending"), sql`${deadlines.id} > ${afterId}`))
    .orderBy(deadlines.id)
    .limit(limit);
}
