import { integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { adrs } from "./adrs.ts";

/** A person's current sign-off on an ADR (latest counts; history lives in the audit trail). */
export const votes = pgTable(
  "votes",
  {
    id: serial("id").primaryKey(),
    adrId: integer("adr_id")
      .notNull()
      .references(() => adrs.id),
    voter: text("voter").notNull(),
    role: text("role").notNull(),
    /** approve | conditional | reject */
    choice: text("choice").notNull(),
    reason: text("reason"),
    /** [{text, owner, deadline}] for conditional votes */
    conditions: jsonb("conditions"),
    /** The ADR content hash this sign-off was given for. */
    contentHash: text("content_hash").notNull(),
    castAt: timestamp("cast_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("votes_adr_voter_uq").on(t.adrId, t.voter)],
);
export type VoteRow = typeof votes.$inferSelect;
