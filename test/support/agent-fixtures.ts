import type { Db } from "../../src/db/client.ts";
import { type AgentRow, agents } from "../../src/db/schema/index.ts";

export interface AgentFixture {
  name: string;
  status?: "proposed" | "approved" | "deployed" | "suspended" | "decommissioned";
  businessOwner: string;
  technicalOwner: string;
  riskTier?: 1 | 2 | 3 | 4;
}

/**
 * An inventory row written straight into the real database, for tests of
 * features that start from an existing agent (incidents, reviews, policy).
 * Approved and deployed agents get the dates the lifecycle would have set.
 */
export async function createAgent(db: Db, a: AgentFixture): Promise<AgentRow> {
  const status = a.status ?? "deployed";
  const now = new Date();
  const approved = status !== "proposed";
  const [row] = await db
    .insert(agents)
    .values({
      name: a.name,
      nameKey: a.name.trim().toLowerCase(),
      status,
      approvalStatus: approved ? "approved" : "pending",
      businessOwner: a.businessOwner,
      technicalOwner: a.technicalOwner,
      riskTier: a.riskTier ?? 3,
      approvalDate: approved ? now : null,
      deployedAt: status === "deployed" || status === "suspended" ? now : null,
      suspendedAt: status === "suspended" ? now : null,
      suspendedReason: status === "suspended" ? "fixture" : null,
    })
    .returning();
  if (!row) throw new Error("agent fixture insert returned nothing");
  return row;
}
