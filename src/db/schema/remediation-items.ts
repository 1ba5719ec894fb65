import { index, integer, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";

/** Tracked items with an owner and a deadline: ADR conditions and post-incident remediation actions. */
export const remediationItems = pgTable(
  "remediation_items",
  {
    id: serial("id").primaryKey(),
    /** adr_condition | pir_action */
    source: text("source").notNull(),
    adrId: integer("adr_id"),
    incidentId: integer("incident_id"),
    agentId: integer("agent_id"),
    description: text("description").notNull(),
    owner: text("owner").notNull(),
    deadline: timestamp("deadline", { withTimezone: true }).notNull(),
    /** open | done | cancelled */
    status: text("status").notNull().default("open"),
    evidence: text("evidence"),
    doneBy: text("done_by"),
    doneAt: timestamp("done_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("remediation_adr_idx").on(t.adrId), index("remediation_incident_idx").on(t.incidentId)],
);
export type RemediationItemRow = typeof remediationItems.$inferSelect;
