import { index, integer, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { agents } from "./agents.ts";

/** Post-deployment and periodic governance reviews of an agent. */
export const agentReviews = pgTable(
  "agent_reviews",
  {
    id: serial("id").primaryKey(),
    agentId: integer("agent_id")
      .notNull()
      .references(() => agents.id),
    /** post_deployment | periodic */
    kind: text("kind").notNull(),
    dueAt: timestamp("due_at", { withTimezone: true }).notNull(),
    /** scheduled | completed | cancelled */
    status: text("status").notNull().default("scheduled"),
    /** continue | continue_with_conditions | suspend | decommission */
    outcome: text("outcome"),
    notes: text("notes"),
    completedBy: text("completed_by"),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("agent_reviews_agent_idx").on(t.agentId, t.status)],
);
export type AgentReviewRow = typeof agentReviews.$inferSelect;
