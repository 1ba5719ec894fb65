import { bigserial, index, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * Every timer's truth. BullMQ holds one delayed job per window of due times
 * (see src/jobs/timers.ts), which fires the deadlines then due; a deadline is
 * fired only through a conditional UPDATE on status, so a duplicate timer, a
 * second instance or a late timer fires it at most once.
 */
export const deadlines = pgTable(
  "deadlines",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** Natural key, e.g. adr-12-sla-50 (no ':' allowed). */
    key: text("key").notNull(),
    /** What fires: see src/jobs/deadline-kinds.ts */
    kind: text("kind").notNull(),
    subjectType: text("subject_type").notNull(),
    subjectId: text("subject_id").notNull(),
    dueAt: timestamp("due_at", { withTimezone: true }).notNull(),
    /** pending | fired | cancelled */
    status: text("status").notNull().default("pending"),
    data: jsonb("data").notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    firedAt: timestamp("fired_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("deadlines_key_uq").on(t.key),
    index("deadlines_pending_due_idx").on(t.status, t.dueAt),
    index("deadlines_subject_idx").on(t.subjectType, t.subjectId),
  ],
);
export type DeadlineRow = typeof deadlines.$inferSelect;
