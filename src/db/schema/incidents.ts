import { index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { agents } from "./agents.ts";

export const incidents = pgTable(
  "incidents",
  {
    id: serial("id").primaryKey(),
    agentId: integer("agent_id")
      .notNull()
      .references(() => agents.id),
    /** SEV1 | SEV2 | SEV3 */
    severity: text("severity").notNull(),
    /** declared | acknowledged | resolved */
    status: text("status").notNull().default("declared"),
    summary: text("summary").notNull(),
    observed: text("observed"),
    declaredBy: text("declared_by").notNull(),
    /** slack | runtime_api */
    source: text("source").notNull().default("slack"),
    submissionKey: text("submission_key").notNull(),
    declaredAt: timestamp("declared_at", { withTimezone: true }).notNull().defaultNow(),
    responseDueAt: timestamp("response_due_at", { withTimezone: true }).notNull(),
    acknowledgedBy: text("acknowledged_by"),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
    escalatedAt: timestamp("escalated_at", { withTimezone: true }),
    repageCount: integer("repage_count").notNull().default(0),
    resolvedBy: text("resolved_by"),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    resolution: text("resolution"),
    /** indexes of checklist items ticked */
    checklistDone: jsonb("checklist_done").notNull().default([]),
  },
  (t) => [
    uniqueIndex("incidents_submission_key_uq").on(t.submissionKey),
    index("incidents_agent_idx").on(t.agentId),
  ],
);
export type IncidentRow = typeof incidents.$inferSelect;

export const emergencyQuorums = pgTable(
  "emergency_quorums",
  {
    id: serial("id").primaryKey(),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id),
    agentId: integer("agent_id").notNull(),
    /** open | closed */
    status: text("status").notNull().default("open"),
    /** keep_suspended | restore_service | escalate_to_board */
    outcome: text("outcome"),
    /** quorum | deadline */
    closeReason: text("close_reason"),
    openedBy: text("opened_by").notNull(),
    openedAt: timestamp("opened_at", { withTimezone: true }).notNull().defaultNow(),
    deadlineAt: timestamp("deadline_at", { withTimezone: true }).notNull(),
    closedAt: timestamp("closed_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("emergency_quorums_incident_uq").on(t.incidentId)],
);

export const quorumVotes = pgTable(
  "quorum_votes",
  {
    id: serial("id").primaryKey(),
    quorumId: integer("quorum_id")
      .notNull()
      .references(() => emergencyQuorums.id),
    voter: text("voter").notNull(),
    choice: text("choice").notNull(),
    castAt: timestamp("cast_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("quorum_votes_uq").on(t.quorumId, t.voter)],
);

export const postIncidentReviews = pgTable(
  "post_incident_reviews",
  {
    id: serial("id").primaryKey(),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id),
    /** pending | completed */
    status: text("status").notNull().default("pending"),
    content: jsonb("content"),
    completedBy: text("completed_by"),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("pir_incident_uq").on(t.incidentId)],
);
