import { type ReviewKind, reviewDueAt, type Tier } from "./tier-policy.ts";
import { accept, assertNever, refuse, type Transition } from "./transition.ts";

/**
 * Agent (inventory) lifecycle:
 *   proposed → approved → deployed ⇄ suspended
 *   approved → suspended   the emergency case: an incident or a revoked
 *                          approval must be able to stop an agent that was
 *                          authorised but never marked deployed (it may be
 *                          running anyway; the policy API refuses it either way).
 *   suspended → restore    returns to deployed if it was ever deployed, else
 *                          to approved, so a restore never claims a deployment
 *                          that did not happen.
 *   any but decommissioned → decommissioned   retirement is always possible:
 *                          from suspended (the usual end of a bad incident),
 *                          and also from proposed/approved, so a rejected,
 *                          withdrawn or abandoned agent can be closed in the
 *                          inventory instead of lingering as "proposed".
 * Who may do each step (technical owner, chair, CLI operator) is checked by
 * the service; `by` is carried for the audit entry.
 */
export type AgentStatus = "proposed" | "approved" | "deployed" | "suspended" | "decommissioned";

export type AgentState = {
  status: AgentStatus;
  tier: Tier;
  approvedAt: Date | null;
  deployedAt: Date | null;
  suspendedAt: Date | null;
  suspendedReason: string | null;
  decommissionedAt: Date | null;
};

export type AgentEvent =
  | { type: "approve"; by: string }
  | { type: "deploy"; by: string }
  | { type: "suspend"; by: string; reason: string }
  | { type: "restore"; by: string; reason: string }
  | { type: "decommission"; by: string; reason: string };

export type AgentEffect =
  /** Replaces any scheduled review of the same kind. */
  | { type: "schedule_review"; kind: ReviewKind; dueAt: Date }
  | { type: "cancel_reviews" }
  | { type: "revoke_runtime_token" }
  | { type: "notify_owners"; status: AgentStatus; reason: string | null };

export type AgentTransition = Transition<AgentState, AgentEffect>;

export function newAgentState(tier: Tier): AgentState {
  return {
    status: "proposed",
    tier,
    approvedAt: null,
    deployedAt: null,
    suspendedAt: null,
    suspendedReason: null,
    decommissionedAt: null,
  };
}

function notNow(state: AgentState, what: string): AgentTransition {
  return refuse("invalid_transition", `cannot ${what}: the agent is ${state.status}`);
}

function needsReason(reason: string, what: string): AgentTransition | null {
  return reason.trim() ? null : refuse("invalid_input", `${what} needs a reason`);
}

export function agentTransition(state: AgentState, event: AgentEvent, now: Date): AgentTransition {
  switch (event.type) {
    case "approve":
      if (state.status === "approved") return refuse("duplicate", "the agent is already approved");
      if (state.status !== "proposed") return notNow(state, "approve it");
      // The post-deployment review counts from approval until the agent is marked deployed.
      return accept({ ...state, status: "approved", approvedAt: now }, [
        {
          type: "schedule_review",
          kind: "post_deployment",
          dueAt: reviewDueAt(state.tier, "post_deployment", now),
        },
        { type: "notify_owners", status: "approved", reason: null },
      ]);
    case "deploy":
      if (state.status === "deployed") {
        return refuse(
          "duplicate",
          `already deployed at ${state.deployedAt?.toISOString() ?? "an earlier time"}`,
        );
      }
      if (state.status !== "approved") return notNow(state, "mark it deployed");
      return accept({ ...state, status: "deployed", deployedAt: now }, [
        {
          type: "schedule_review",
          kind: "post_deployment",
          dueAt: reviewDueAt(state.tier, "post_deployment", now),
        },
        { type: "notify_owners", status: "deployed", reason: null },
      ]);
    case "suspend": {
      if (state.status === "suspended") {
        const since = state.suspendedAt?.toISOString() ?? "an earlier time";
        return refuse(
          "duplicate",
          `already suspended since ${since} (${state.suspendedReason ?? "no reason"})`,
        );
      }
      if (state.status !== "deployed" && state.status !== "approved") return notNow(state, "suspend it");
      const missing = needsReason(event.reason, "a suspension");
      if (missing) return missing;
      return accept({ ...state, status: "suspended", suspendedAt: now, suspendedReason: event.reason }, [
        { type: "notify_owners", status: "suspended", reason: event.reason },
      ]);
    }
    case "restore": {
      if (state.status !== "suspended") return notNow(state, "restore it");
      const missing = needsReason(event.reason, "a restore");
      if (missing) return missing;
      const status: AgentStatus = state.deployedAt ? "deployed" : "approved";
      return accept({ ...state, status, suspendedAt: null, suspendedReason: null }, [
        { type: "notify_owners", status, reason: event.reason },
      ]);
    }
    case "decommission": {
      if (state.status === "decommissioned") {
        const at = state.decommissionedAt?.toISOString() ?? "an earlier time";
        return refuse("duplicate", `already decommissioned at ${at}`);
      }
      const missing = needsReason(event.reason, "a decommission");
      if (missing) return missing;
      return accept({ ...state, status: "decommissioned", decommissionedAt: now }, [
        { type: "cancel_reviews" },
        { type: "revoke_runtime_token" },
        { type: "notify_owners", status: "decommissioned", reason: event.reason },
      ]);
    }
    default:
      return assertNever(event, "agent event");
  }
}
