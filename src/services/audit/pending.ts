import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "../../db/client.ts";

/** Rows deleted per statement (each its own short transaction). */
const BATCH = 10_000;

/**
 * Deletes the audit_pending rows already linked into their chains. A pending
 * row that this statement can see belongs to a committed transaction, whose
 * commit-time trigger linked it (migration 0004): rows of transactions still
 * running are invisible to it and stay. Run by the minute sweep; returns how
 * many rows went.
 */
export async function sweepLinkedPending(db: DbOrTx): Promise<number> {
  let total = 0;
  for (;;) {
    const [row] = await queryRows<{ n: number }>(
      db,
      sql`with gone as (
            delete from audit_pending
            where id in (select id from audit_pending order by id limit ${BATCH})
            returning 1)
          select count(*)::int as n from gone`,
    );
    const n = Number(row?.n ?? 0);
    total += n;
    if (n < BATCH) return total;
  }
}
