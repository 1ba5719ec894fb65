import type { AgentRow } from "../../db/schema/index.ts";
import type { AgentState, AgentStatus } from "../../domain/approval.ts";
import { GovernorError } from "../../domain/errors.ts";
import { isTier, type Tier } from "../../domain/tier-policy.ts";
import type { Refusal } from "../../domain/transition.ts";

/** The lifecycle state of an inventory row, for agentTransition. */
export function agentStateOf(row: AgentRow): AgentState & { tier: Tier } {
  if (!isTier(row.riskTier)) throw new GovernorError("conflict", `agent ${row.id} has no risk tier yet`);
  return {
    status: row.status as AgentStatus,
    tier: row.riskTier,
    approvedAt: row.approvalDate,
    deployedAt: row.deployedAt,
    suspendedAt: row.suspendedAt,
    suspendedReason: row.suspendedReason,
    decommissionedAt: row.status === "decommissioned" ? row.updatedAt : null,
  };
}

/** A lifecycle refusal as the one error type transports map. */
export function refusalError(refusal: Refusal): GovernorError {
  const code =
    refusal.code === "forbidden" ? "forbidden" : refusal.code === "invalid_input" ? "validation" : "conflict";
  return new GovernorError(code, refusal.reason);
}
