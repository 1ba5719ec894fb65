import { and, eq, getTableColumns, inArray, lte, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "../../db/client.ts";
import { stillPending } from "../../db/pending.ts";
import { type OutboxRow, outbox } from "../../db/schema/index.ts";

/**
 * How long a deliverer holds an item it claimed. Longer than a delivery with
 * the client's retries and a Slack rate-limit wait; after it, a deliverer
 * that died is presumed dead and the item is delivered again.
 */
export const CLAIM_MS = 60_000;

/**
 * Claims outbox items for delivery, atomically: a pending item whose
 * `deliver_after` has come gets `deliver_after = now + CLAIM_MS`, so an
 * outbox job and the inline delivery after a firing (or two instances) never
 * send the same item at once, and an outbox job meeting a claimed item waits
 * until the claim lapses. `deliver_after` means "no delivery attempt before
 * this instant", whether the item waits for the recipient's morning or for
 * the deliverer holding it; an item within a second of its creation is due
 * whatever the clocks say (rows are stamped with the database's clock).
 *
 * The rows come back with their `deliver_after` as it was before the claim;
 * marking an item done or releasing it puts that value back.
 */
export async function claimOutbox(db: DbOrTx, ids: number[], now: Date): Promise<OutboxRow[]> {
  if (!ids.length) return [];
  const before = alias(outbox, "before_claim");
  const rows = await db
    .update(outbox)
    .set({ deliverAfter: new Date(now.getTime() + CLAIM_MS) })
    .from(before)
    .where(
      and(
        eq(before.id, outbox.id),
        inArray(outbox.id, ids),
        stillPending(outbox.status),
        or(
          lte(outbox.deliverAfter, new Date(now.getTime() + 50)),
          lte(outbox.deliverAfter, sql`${outbox.createdAt} + interval '1 second'`),
        ),
      ),
    )
    .returning({ ...getTableColumns(outbox), dueAt: before.deliverAfter });
  return rows.map(({ dueAt, ...row }) => ({ ...row, deliverAfter: dueAt }));
}

/** Gives a claimed item back after a failed attempt (the job's back-off paces the retry). */
export async function releaseOutbox(db: DbOrTx, item: OutboxRow, lastError: string): Promise<void> {
  await db
    .update(outbox)
    .set({ deliverAfter: item.deliverAfter, attempts: item.attempts + 1, lastError: lastError.slice(0, 500) })
    .where(and(eq(outbox.id, item.id), stillPending(outbox.status)));
}
