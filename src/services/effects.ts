import { and, eq, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { type DbOrTx, queryRows } from "../db/client.ts";
import { stillPending } from "../db/pending.ts";
import { pgArray } from "../db/pg-array.ts";
import { deadlines, type OutboxRow, outbox } from "../db/schema/index.ts";

/** A Slack message to deliver durably (see outbox table). */
export type OutboxItem =
  | { op: "post"; channel: string; ref?: string; message: SlackMessage }
  | { op: "update"; ref: string; message: SlackMessage }
  | { op: "reply"; ref: string; message: SlackMessage; broadcast?: boolean }
  | { op: "dm"; user: string; message: SlackMessage; workingHours?: boolean };

export interface SlackMessage {
  text: string;
  blocks?: unknown[];
}

export interface DeadlineSpec {
  /** Natural key (unique: scheduling the same key twice keeps the first). No ':' allowed. */
  key: string;
  kind: string;
  subjectType: string;
  subjectId: string | number;
  dueAt: Date;
  data?: Record<string, unknown>;
}

/**
 * What a transaction produced that needs Redis after commit. Services push
 * into it inside the transaction; `dispatch` enqueues after the commit, so a
 * rolled-back change never leaves a job behind.
 */
export class Effects {
  readonly outboxIds: number[] = [];
  readonly scheduled: { id: number; key: string; dueAt: Date }[] = [];
  /** Due times of deadlines cancelled or moved: their timers may have nothing left to fire. */
  readonly vacated: Date[] = [];
  /** Outbox rows queued by deferOutbox, written by flushOutbox before the commit. */
  readonly deferredOutbox: OutboxRowDraft[] = [];
  /**
   * Outbox rows written already claimed for delivery (flushOutbox with a
   * claim), for the caller to deliver right after the commit; their ids are
   * not in `outboxIds`.
   */
  readonly claimedOutbox: OutboxRow[] = [];
}

interface OutboxRowDraft {
  op: OutboxItem["op"];
  ref: string | null;
  target: string | null;
  payload: string;
  deliverAfter: string | null;
}

function draftOf(item: OutboxItem, deliverAfter?: Date): OutboxRowDraft {
  const payload: Record<string, unknown> = { ...item.message };
  if (item.op === "dm" && item.workingHours) payload.workingHours = true;
  if (item.op === "reply" && item.broadcast) payload.reply_broadcast = true;
  return {
    op: item.op,
    ref: item.op === "dm" ? null : (item.ref ?? null),
    target: item.op === "post" ? item.channel : item.op === "dm" ? item.user : null,
    payload: JSON.stringify(payload),
    deliverAfter: deliverAfter?.toISOString() ?? null,
  };
}

/** Writes a Slack message to the outbox now, in the caller's transaction; returns its id. */
export async function enqueueOutbox(
  tx: DbOrTx,
  fx: Effects,
  item: OutboxItem,
  deliverAfter?: Date,
): Promise<number> {
  // Messages keep the order they were queued in (ids are the delivery order of a ref).
  await flushOutbox(tx, fx);
  const d = draftOf(item, deliverAfter);
  // Plain SQL: a fraction of the insert builder's CPU (≈0.2 ms a row there, measured in bench/timers).
  const [row] = await queryRows<{ id: string | number }>(
    tx,
    sql`insert into ${outbox} (op, ref, target, payload, deliver_after)
        values (${d.op}, ${d.ref}, ${d.target}, ${d.payload}::jsonb, coalesce(${d.deliverAfter}::timestamptz, now()))
        returning id`,
  );
  const id = Number(row!.id);
  fx.outboxIds.push(id);
  return id;
}

/**
 * Queues a Slack message for the outbox without a round trip: it is written,
 * with every other one queued in the same transaction, by one INSERT in
 * flushOutbox, which the transaction runners (inTransaction, the deadline
 * firing) call before they commit. For code that writes many messages in one
 * transaction and needs no id back (timer handlers: a burst of reminders).
 */
export function deferOutbox(fx: Effects, item: OutboxItem, deliverAfter?: Date): void {
  fx.deferredOutbox.push(draftOf(item, deliverAfter));
}

/**
 * Writes the deferred outbox rows in one statement, in the order they were
 * queued. With `claimMs`, the rows due at once are written claimed by the
 * caller for that long (as claimOutbox would claim them, see there) and
 * come back in `fx.claimedOutbox`, ready to deliver after the commit without
 * another statement; if the caller dies first, the claim lapses and the
 * sweep enqueues them.
 */
export async function flushOutbox(tx: DbOrTx, fx: Effects, claimMs?: number): Promise<void> {
  if (!fx.deferredOutbox.length) return;
  const rows = fx.deferredOutbox.splice(0);
  const column = (k: keyof OutboxRowDraft) => pgArray(rows.map((r) => r[k]));
  const claimFor = claimMs === undefined ? null : claimMs / 1000;
  const inserted = await queryRows<{ id: string | number; created_ms: string | number }>(
    tx,
    sql`insert into ${outbox} (op, ref, target, payload, deliver_after)
        select op, ref, target, payload,
               coalesce(deliver_after, now() + make_interval(secs => coalesce(${claimFor}::float8, 0)))
        from unnest(${column("op")}::text[], ${column("ref")}::text[], ${column("target")}::text[],
                    ${column("payload")}::jsonb[], ${column("deliverAfter")}::timestamptz[])
             with ordinality as r(op, ref, target, payload, deliver_after, n)
        order by n
        returning id, extract(epoch from created_at) * 1000 as created_ms`,
  );
  // Rows are numbered as they are inserted, in the queued order.
  const written = inserted
    .map((r) => ({ id: Number(r.id), createdAt: new Date(Number(r.created_ms)) }))
    .sort((a, b) => a.id - b.id);
  written.forEach(({ id, createdAt }, i) => {
    const draft = rows[i]!;
    if (claimFor === null || draft.deliverAfter !== null) {
      fx.outboxIds.push(id);
      return;
    }
    fx.claimedOutbox.push({
      id,
      op: draft.op,
      ref: draft.ref,
      target: draft.target,
      payload: JSON.parse(draft.payload) as unknown,
      deliverAfter: createdAt, // its time before the claim, as claimOutbox returns it
      status: "pending",
      attempts: 0,
      lastError: null,
      resultTs: null,
      createdAt,
      sentAt: null,
    });
  });
}

/** Idempotent by key: scheduling the same deadline twice keeps the first. */
export async function scheduleDeadline(tx: DbOrTx, fx: Effects, spec: DeadlineSpec): Promise<void> {
  if (spec.key.includes(":")) throw new Error(`deadline key may not contain ':' (${spec.key})`);
  const rows = await tx
    .insert(deadlines)
    .values({
      key: spec.key,
      kind: spec.kind,
      subjectType: spec.subjectType,
      subjectId: String(spec.subjectId),
      dueAt: spec.dueAt,
      data: spec.data ?? {},
    })
    .onConflictDoNothing({ target: deadlines.key })
    .returning({ id: deadlines.id, key: deadlines.key, dueAt: deadlines.dueAt });
  for (const r of rows) fx.scheduled.push(r);
}

/** Cancels pending deadlines of a subject (optionally only some kinds). */
export async function cancelDeadlines(
  tx: DbOrTx,
  fx: Effects,
  subjectType: string,
  subjectId: string | number,
  kinds?: string[],
): Promise<number> {
  const conditions = [
    eq(deadlines.subjectType, subjectType),
    eq(deadlines.subjectId, String(subjectId)),
    stillPending(deadlines.status),
  ];
  if (kinds?.length) conditions.push(inArray(deadlines.kind, kinds));
  const rows = await tx
    .update(deadlines)
    .set({ status: "cancelled" })
    .where(and(...conditions))
    .returning({ dueAt: deadlines.dueAt });
  for (const r of rows) fx.vacated.push(r.dueAt);
  return rows.length;
}

/** Replaces a pending deadline's due time (e.g. a re-page interval or a severity change). */
export async function rescheduleDeadline(tx: DbOrTx, fx: Effects, key: string, dueAt: Date): Promise<void> {
  const before = alias(deadlines, "before_move");
  const rows = await tx
    .update(deadlines)
    .set({ dueAt })
    .from(before)
    .where(and(eq(before.id, deadlines.id), eq(deadlines.key, key), stillPending(deadlines.status)))
    .returning({ id: deadlines.id, key: deadlines.key, dueAt: deadlines.dueAt, was: before.dueAt });
  for (const { was, ...r } of rows) {
    fx.vacated.push(was);
    fx.scheduled.push(r);
  }
}

export const nowSql = sql`now()`;
