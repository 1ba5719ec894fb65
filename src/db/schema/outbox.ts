import { bigserial, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Durable Slack effects. A service writes the intent here in the same
 * transaction as the state change; the outbox job delivers it and records
 * the ts. A crash or a Slack outage delays a message, never loses it.
 */
export const outbox = pgTable(
  "outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** post | update | reply | dm */
    op: text("op").notNull(),
    /** post: the ref the new message gets; update: the ref to update; reply: the parent ref. */
    ref: text("ref"),
    /** Channel id (post, reply), or user id (dm). */
    target: text("target"),
    payload: jsonb("payload").notNull(),
    /** Reminders wait for the recipient's working hours. */
    deliverAfter: timestamp("deliver_after", { withTimezone: true }).notNull().defaultNow(),
    /** pending | sent | superseded | dead */
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    resultTs: text("result_ts"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (t) => [index("outbox_pending_idx").on(t.status, t.deliverAfter), index("outbox_ref_idx").on(t.ref)],
);
export type OutboxRow = typeof outbox.$inferSelect;

/** Where a posted message lives, by ref (e.g. adr-12, incident-3), so later updates and replies find it. */
export const slackMessages = pgTable("slack_messages", {
  ref: text("ref").primaryKey(),
  channel: text("channel").notNull(),
  ts: text("ts").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
