import { eq } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { agents } from "../schema/index.ts";

/**
 * What the runtime policy check needs to know about an agent before anything
 * else: `suspended` and `decommissioned` agents are denied everything;
 * `not_authorised` (still proposed) has no approval to act on; `active` is an
 * approved or deployed agent whose actions go on to the policy rules.
 * Read inside the caller's transaction or straight from the database: a SEV1
 * declaration suspends in the same transaction, so once it commits every
 * later lookup sees `suspended`.
 */
export type AgentRuntimeStatus = "active" | "suspended" | "decommissioned" | "not_authorised";

export function runtimeStatusOf(inventoryStatus: string): AgentRuntimeStatus {
  switch (inventoryStatus) {
    case "approved":
    case "deployed":
      return "active";
    case "suspended":
      return "suspended";
    case "decommissioned":
      return "decommissioned";
    default:
      return "not_authorised";
  }
}

/** null when no such agent exists. */
export async function agentRuntimeStatus(db: DbOrTx, agentId: number): Promise<AgentRuntimeStatus | null> {
  const [row] = await db.select({ status: agents.status }).from(agents).where(eq(agents.id, agentId));
  return row ? runtimeStatusOf(row.status) : null;
}

export async function isAgentSuspended(db: DbOrTx, agentId: number): Promise<boolean> {
  return (await agentRuntimeStatus(db, agentId)) === "suspended";
}
