import {
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/** A person's unfinished ADR form, so an accidental close loses nothing. */
export const drafts = pgTable(
  "drafts",
  {
    userId: text("user_id").notNull(),
    kind: text("kind").notNull(),
    content: jsonb("content").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind] })],
);

/** Cached Slack profile facts (time zone) for working-hours delivery. */
export const slackUsers = pgTable("slack_users", {
  userId: text("user_id").primaryKey(),
  tz: text("tz"),
  fetchedAt: timestamp("fetched_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Per-agent runtime API tokens, stored hashed, revocable. */
export const agentTokens = pgTable(
  "agent_tokens",
  {
    id: serial("id").primaryKey(),
    agentId: integer("agent_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("agent_tokens_hash_uq").on(t.tokenHash)],
);

/** Human approvals requested by an agent runtime (policy result require_approval). */
export const runtimeApprovals = pgTable("runtime_approvals", {
  id: serial("id").primaryKey(),
  agentId: integer("agent_id").notNull(),
  action: text("action").notNull(),
  context: jsonb("context").notNull().default({}),
  /** pending | granted | denied */
  status: text("status").notNull().default("pending"),
  requestedAt: timestamp("requested_at", { withTimezone: true }).notNull().defaultNow(),
  decidedBy: text("decided_by"),
  decidedAt: timestamp("decided_at", { withTimezone: true }),
});
