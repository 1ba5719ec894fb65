import { index, integer, pgTable, serial, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/** The inventory: one governance record per agent (the framework's AgentGovernanceRecord). */
export const agents = pgTable(
  "agents",
  {
    id: serial("id").primaryKey(),
    name: text("name").notNull(),
    /** lower(name): names are unique per workspace, case-insensitively. */
    nameKey: text("name_key").notNull(),
    /** proposed | approved | deployed | suspended | decommissioned */
    status: text("status").notNull().default("proposed"),
    /** pending | approved | conditional | rejected */
    approvalStatus: text("approval_status").notNull().default("pending"),
    businessOwner: text("business_owner").notNull(),
    technicalOwner: text("technical_owner").notNull(),
    dataSteward: text("data_steward"),
    securityReviewer: text("security_reviewer"),
    complianceReviewer: text("compliance_reviewer"),
    riskTier: integer("risk_tier"),
    deploymentEnvironment: text("deployment_environment").notNull().default("production"),
    userPopulation: text("user_population").notNull().default("internal"),
    currentAdrId: integer("current_adr_id"),
    approvalDate: timestamp("approval_date", { withTimezone: true }),
    deployedAt: timestamp("deployed_at", { withTimezone: true }),
    nextReviewDate: timestamp("next_review_date", { withTimezone: true }),
    suspendedAt: timestamp("suspended_at", { withTimezone: true }),
    suspendedReason: text("suspended_reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("agents_name_key_uq").on(t.nameKey), index("agents_status_idx").on(t.status)],
);
export type AgentRow = typeof agents.$inferSelect;
