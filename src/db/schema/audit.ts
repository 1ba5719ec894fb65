import {
  bigint,
  bigserial,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/** What an entry says, the same in audit_entries and audit_pending. */
function eventColumns() {
  return {
    eventType: text("event_type").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true, precision: 3 }).notNull(),
    agentId: integer("agent_id"),
    sessionId: text("session_id"),
    /** HMAC-SHA256 pseudonym of the Slack user id (or a system actor name). */
    actor: text("actor"),
    /**
     * The event data as the canonical JSON text that was hashed (type json
     * keeps the text verbatim, so verification hashes it without parsing).
     */
    data: json("data").notNull(),
  };
}

/**
 * The hash-chained audit trail. Append-only: a trigger (migration
 * 0001_audit_append_only) refuses UPDATE, DELETE and TRUNCATE.
 */
export const auditEntries = pgTable(
  "audit_entries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** agent-<id> or governance */
    chain: text("chain").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    ...eventColumns(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [uniqueIndex("audit_chain_seq_uq").on(t.chain, t.seq), index("audit_occurred_idx").on(t.occurredAt)],
);
export type AuditEntryRow = typeof auditEntries.$inferSelect;

/**
 * Entries written by a transaction, linked into their chain at its COMMIT. A
 * deferred constraint trigger (migrations 0002, 0003 and 0004) links each
 * one: it locks the chain head and inserts the audit_entries row with its seq
 * and hashes. A row anyone else can see is therefore linked already; the
 * minute sweep deletes those in bulk (sweepLinkedPending). Linking at commit keeps the chain locked only while
 * the commit itself runs, not while the caller's transaction talks to the app.
 * `before`/`after` are the canonical JSON of the entry split around its
 * prev_hash and seq (see splitCanonicalEntry).
 */
export const auditPending = pgTable("audit_pending", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  chain: text("chain").notNull(),
  ...eventColumns(),
  before: text("before").notNull(),
  after: text("after").notNull(),
});

/** The head of each chain; its row lock serialises appends per chain. */
export const auditChainHeads = pgTable("audit_chain_heads", {
  chain: text("chain").primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  hash: text("hash").notNull(),
});

/** Daily anchors: the heads of all chains hashed together and published. */
export const auditAnchors = pgTable("audit_anchors", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  anchorHash: text("anchor_hash").notNull(),
  heads: jsonb("heads").notNull(),
  anchoredAt: timestamp("anchored_at", { withTimezone: true }).notNull().defaultNow(),
});
