import { sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.ts";
import { pgArray } from "../../db/pg-array.ts";
import { type OutboxRow, outbox } from "../../db/schema/index.ts";
import { stillPending } from "../../db/pending.ts";

/** Records a claimed item as sent (with the ts Slack gave it), restoring its `deliver_after`. */
export type MarkSent = (item: OutboxRow, ts: string | undefined) => Promise<void>;

interface Mark {
  item: OutboxRow;
  ts: string | undefined;
  done: () => void;
  failed: (err: unknown) => void;
}

/**
 * Marks sent items with group commit: the first mark is written at once;
 * marks arriving while a write is in flight go together in the next one. A
 * lone message is marked as promptly as one UPDATE each; a burst costs one
 * UPDATE per round trip instead of one per message. Each caller's promise
 * settles when its own row is written.
 */
export function groupedSentMarks(db: DbOrTx, now: () => Date): MarkSent {
  let queued: Mark[] = [];
  let writing = false;
  const write = async () => {
    writing = true;
    while (queued.length) {
      const marks = queued;
      queued = [];
      try {
        await writeMarks(db, marks, now());
        for (const m of marks) m.done();
      } catch (err) {
        for (const m of marks) m.failed(err);
      }
    }
    writing = false;
  };
  return (item, ts) =>
    new Promise<void>((done, failed) => {
      queued.push({ item, ts, done, failed });
      if (!writing) void write();
    });
}

/**
 * One UPDATE for the group, with its values in three array parameters (ids,
 * ts, deliver_after): a fixed shape, so it runs as a prepared statement
 * whatever the group's size, and rows are found through `id = any(ids)` on
 * the primary key.
 */
async function writeMarks(db: DbOrTx, marks: Mark[], sentAt: Date): Promise<void> {
  const ids = pgArray(marks.map((m) => m.item.id));
  const position = sql`array_position(${ids}::bigint[], ${outbox.id})`;
  await db.execute(
    sql`update ${outbox}
        set status = 'sent', sent_at = ${sentAt.toISOString()}::timestamptz,
            result_ts = (${pgArray(marks.map((m) => m.ts ?? null))}::text[])[${position}],
            deliver_after = (${pgArray(marks.map((m) => m.item.deliverAfter.toISOString()))}::timestamptz[])[${position}]
        where ${outbox.id} = any(${ids}::bigint[]) and ${stillPending(outbox.status)}`,
  );
}
