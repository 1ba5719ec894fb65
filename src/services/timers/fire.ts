import { and, eq, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { type DeadlineRow, deadlines } from "../../db/schema/index.ts";
import type { Deps } from "../deps.ts";
import type { Effects } from "../effects.ts";

export interface DeadlineContext {
  deps: Deps;
  tx: Tx;
  fx: Effects;
  deadline: DeadlineRow;
  now: Date;
}

/**
 * A deadline kind's effect. It runs inside the transaction that marked the
 * deadline fired (with the others due at the same time: see
 * fireDueDeadlines), so a crash rolls both back and the retry fires it once.
 * It must re-read its subject and do nothing if the state moved on.
 */
export type DeadlineHandler = (ctx: DeadlineContext) => Promise<void>;
export type DeadlineHandlers = Record<string, DeadlineHandler>;

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
