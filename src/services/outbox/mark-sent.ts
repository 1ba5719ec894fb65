import { and, inArray, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.ts";
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
        await db
          .update(outbox)
          .set({
            status: "sent",
            sentAt: now(),
            resultTs: byId(marks, (m) => (m.ts === undefined ? sql`null` : sql`${m.ts}`)),
            deliverAfter: byId(marks, (m) => sql`${m.item.deliverAfter.toISOString()}::timestamptz`),
          })
          .where(
            and(
              inArray(
                outbox.id,
                marks.map((m) => m.item.id),
              ),
              stillPending(outbox.status),
            ),
          );
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

/** `case id when … then … end`: one value per marked row. */
function byId(marks: Mark[], value: (m: Mark) => SQL): SQL {
  const cases = marks.map((m) => sql`when ${m.item.id} then ${value(m)}`);
  return sql`case ${outbox.id} ${sql.join(cases, sql` `)} end`;
}
