import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { agents } from "./agents.ts";

/** Agent Deployment Requests, versioned per agent; earlier versions stay readable. */
export const adrs = pgTable(
  "adrs",
  {
    id: serial("id").primaryKey(),
    agentId: integer("agent_id")
      .notNull()
      .references(() => agents.id),
    version: integer("version").notNull(),
    /** awaiting_security_assessment | in_review | approved | conditional | rejected | withdrawn | superseded */
    status: text("status").notNull().default("awaiting_security_assessment"),
    content: jsonb("content").notNull(),
    /** sha256 of the canonical JSON of content: what a sign-off binds to. */
    contentHash: text("content_hash").notNull(),
    computedTier: integer("computed_tier").notNull(),
    tier: integer("tier").notNull(),
    score: integer("score").notNull(),
    tierReasons: jsonb("tier_reasons").notNull(),
    tierRaisedBy: text("tier_raised_by"),
    tierRaisedReason: text("tier_raised_reason"),
    requester: text("requester").notNull(),
    /** Idempotency: a retried or double-clicked submission carries the same key. */
    submissionKey: text("submission_key").notNull(),
    securityAssessment: jsonb("security_assessment"),
    assessedBy: text("assessed_by"),
    assessedAt: timestamp("assessed_at", { withTimezone: true }),
    policyVersion: text("policy_version"),
    submittedAt: timestamp("submitted_at", { withTimezone: true }).notNull().defaultNow(),
    reviewStartedAt: timestamp("review_started_at", { withTimezone: true }),
    slaDueAt: timestamp("sla_due_at", { withTimezone: true }),
    overdue: boolean("overdue").notNull().default(false),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    outcome: text("outcome"),
    decisionWhy: text("decision_why"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("adrs_agent_version_uq").on(t.agentId, t.version),
    uniqueIndex("adrs_submission_key_uq").on(t.submissionKey),
    index("adrs_status_idx").on(t.status),
  ],
);
export type AdrRow = typeof adrs.$inferSelect;
