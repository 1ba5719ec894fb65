import type { DecisionOutcome } from "./approval.ts";
import type { Tier } from "./tier-policy.ts";
import { accept, assertNever, refuse, type Transition } from "./transition.ts";

/**
 * ADR lifecycle:
 *   awaiting_security_assessment → in_review → approved | conditional | rejected
 *   conditional → approved   (every condition done)
 *   conditional → rejected   (the committee so decides on an overdue condition)
 *   awaiting_security_assessment | in_review → withdrawn   (requester only)
 *
 * A conditional decision authorises the agent (approval with conditions); a
 * later rejection revokes that authorisation. The decision itself comes from
 * evaluateDecision; this machine only checks it may be applied now.
 */
export type AdrStatus =
  | "awaiting_security_assessment"
  | "in_review"
  | "approved"
  | "conditional"
  | "rejected"
  | "withdrawn";

export type AdrCondition = {
  id: string;
  text: string;
  owner: string;
  deadline: Date;
  doneAt: Date | null;
  doneBy: string | null;
};
export type NewCondition = { id: string; text: string; owner: string; deadline: Date };

export type AdrState = {
  status: AdrStatus;
  tier: Tier;
  requester: string;
  technicalOwner: string;
  conditions: AdrCondition[];
  reviewStartedAt: Date | null;
  decidedAt: Date | null;
  decisionWhy: string | null;
  closedAt: Date | null;
};

export type AdrEvent =
  | { type: "complete_security_assessment"; by: string }
  | { type: "decide"; outcome: DecisionOutcome; why: string; conditions?: NewCondition[] }
  | { type: "complete_condition"; conditionId: string; by: string }
  | { type: "reject_for_overdue_condition"; conditionId: string; by: string; why: string }
  | { type: "withdraw"; by: string };

export type AdrEffect =
  /** Schedule the 50% / 90% reminders and the breach escalation from now. */
  | { type: "start_sla_clock" }
  | { type: "stop_sla_clock" }
  | { type: "request_sign_offs" }
  | { type: "announce_decision"; outcome: DecisionOutcome; why: string }
  | { type: "notify_board"; about: "decision" }
  /** Mirror on the agent record (its approval status). */
  | { type: "set_agent_approval"; approval: DecisionOutcome }
  /** Move the agent proposed → approved (agentTransition "approve"). */
  | { type: "authorise_agent" }
  | { type: "revoke_agent_authorisation"; why: string }
  | { type: "track_conditions"; conditionIds: string[] }
  | { type: "stop_condition_reminders"; conditionIds: string[] }
  | { type: "announce_withdrawal" };

export type AdrTransition = Transition<AdrState, AdrEffect>;

export function newAdrState(input: { tier: Tier; requester: string; technicalOwner: string }): AdrState {
  return {
    status: "awaiting_security_assessment",
    tier: input.tier,
    requester: input.requester,
    technicalOwner: input.technicalOwner,
    conditions: [],
    reviewStartedAt: null,
    decidedAt: null,
    decisionWhy: null,
    closedAt: null,
  };
}

const STATUS_TEXT: Record<AdrStatus, string> = {
  awaiting_security_assessment: "awaiting its security assessment",
  in_review: "in review",
  approved: "approved",
  conditional: "conditionally approved",
  rejected: "rejected",
  withdrawn: "withdrawn",
};

function notNow(state: AdrState, what: string): AdrTransition {
  return refuse("invalid_transition", `cannot ${what}: the request is ${STATUS_TEXT[state.status]}`);
}

function checkConditions(conditions: NewCondition[], now: Date): string | null {
  const ids = new Set<string>();
  for (const c of conditions) {
    if (!c.id || ids.has(c.id)) return `condition ids must be present and unique (${JSON.stringify(c.id)})`;
    ids.add(c.id);
    if (!c.text.trim()) return `condition ${c.id} needs a description`;
    if (!c.owner) return `condition ${c.id} needs an owner`;
    if (Number.isNaN(c.deadline.getTime()) || c.deadline.getTime() <= now.getTime()) {
      return `condition ${c.id} needs a deadline in the future`;
    }
  }
  return null;
}

function decide(state: AdrState, event: Extract<AdrEvent, { type: "decide" }>, now: Date): AdrTransition {
  if (state.status !== "in_review") return notNow(state, "record a decision");
  if (!event.why.trim()) return refuse("invalid_input", "a decision needs its reason");
  const conditions = event.conditions ?? [];
  if (event.outcome === "conditional" && conditions.length === 0) {
    return refuse("invalid_input", "a conditional approval needs at least one condition");
  }
  if (event.outcome !== "conditional" && conditions.length > 0) {
    return refuse("invalid_input", "only a conditional approval carries conditions");
  }
  const problem = checkConditions(conditions, now);
  if (problem) return refuse("invalid_input", problem);
  const state2: AdrState = {
    ...state,
    status: event.outcome,
    decidedAt: now,
    decisionWhy: event.why,
    conditions: conditions.map((c) => ({ ...c, doneAt: null, doneBy: null })),
    closedAt: event.outcome === "rejected" ? now : null,
  };
  const effects: AdrEffect[] = [
    { type: "stop_sla_clock" },
    { type: "announce_decision", outcome: event.outcome, why: event.why },
    { type: "set_agent_approval", approval: event.outcome },
  ];
  if (event.outcome !== "rejected") effects.push({ type: "authorise_agent" });
  if (event.outcome === "conditional") {
    effects.push({ type: "track_conditions", conditionIds: conditions.map((c) => c.id) });
  }
  if (state.tier === 4) effects.push({ type: "notify_board", about: "decision" });
  return accept(state2, effects);
}

function completeCondition(
  state: AdrState,
  event: Extract<AdrEvent, { type: "complete_condition" }>,
  now: Date,
): AdrTransition {
  if (state.status !== "conditional") return notNow(state, "complete a condition");
  const condition = state.conditions.find((c) => c.id === event.conditionId);
  if (!condition) return refuse("invalid_input", `no condition ${event.conditionId} on this request`);
  if (condition.doneAt) {
    return refuse(
      "duplicate",
      `condition ${condition.id} was already done by ${condition.doneBy} at ${condition.doneAt.toISOString()}`,
    );
  }
  if (event.by !== condition.owner) {
    return refuse("forbidden", `only the condition's owner ${condition.owner} may mark it done`);
  }
  const conditions = state.conditions.map((c) =>
    c.id === condition.id ? { ...c, doneAt: now, doneBy: event.by } : c,
  );
  const effects: AdrEffect[] = [{ type: "stop_condition_reminders", conditionIds: [condition.id] }];
  if (conditions.some((c) => !c.doneAt)) return accept({ ...state, conditions }, effects);
  const why = "every condition is done";
  effects.push(
    { type: "announce_decision", outcome: "approved", why },
    { type: "set_agent_approval", approval: "approved" },
  );
  return accept({ ...state, conditions, status: "approved", decisionWhy: why }, effects);
}

function rejectForOverdue(
  state: AdrState,
  event: Extract<AdrEvent, { type: "reject_for_overdue_condition" }>,
  now: Date,
): AdrTransition {
  if (state.status !== "conditional") return notNow(state, "reject for an overdue condition");
  const condition = state.conditions.find((c) => c.id === event.conditionId);
  if (!condition) return refuse("invalid_input", `no condition ${event.conditionId} on this request`);
  if (condition.doneAt) return refuse("invalid_transition", `condition ${condition.id} is done`);
  if (condition.deadline.getTime() > now.getTime()) {
    return refuse(
      "invalid_transition",
      `condition ${condition.id} is not overdue (due ${condition.deadline.toISOString()})`,
    );
  }
  if (!event.why.trim()) return refuse("invalid_input", "the committee's decision needs its reason");
  const open = state.conditions.filter((c) => !c.doneAt).map((c) => c.id);
  return accept({ ...state, status: "rejected", decisionWhy: event.why, closedAt: now }, [
    { type: "stop_condition_reminders", conditionIds: open },
    { type: "announce_decision", outcome: "rejected", why: event.why },
    { type: "set_agent_approval", approval: "rejected" },
    { type: "revoke_agent_authorisation", why: event.why },
  ]);
}

export function adrTransition(state: AdrState, event: AdrEvent, now: Date): AdrTransition {
  switch (event.type) {
    case "complete_security_assessment":
      if (state.status === "in_review")
        return refuse("duplicate", "the security assessment is already complete");
      if (state.status !== "awaiting_security_assessment")
        return notNow(state, "complete the security assessment");
      if (event.by !== state.technicalOwner) {
        return refuse(
          "forbidden",
          `only the technical owner ${state.technicalOwner} completes the security assessment`,
        );
      }
      return accept({ ...state, status: "in_review", reviewStartedAt: now }, [
        { type: "start_sla_clock" },
        { type: "request_sign_offs" },
      ]);
    case "decide":
      return decide(state, event, now);
    case "complete_condition":
      return completeCondition(state, event, now);
    case "reject_for_overdue_condition":
      return rejectForOverdue(state, event, now);
    case "withdraw": {
      if (state.status === "withdrawn") {
        return refuse(
          "duplicate",
          `already withdrawn at ${state.closedAt?.toISOString() ?? "an earlier time"}`,
        );
      }
      if (state.status !== "awaiting_security_assessment" && state.status !== "in_review") {
        return notNow(state, "withdraw a decided request");
      }
      if (event.by !== state.requester) {
        return refuse("forbidden", `only the requester ${state.requester} may withdraw this request`);
      }
      const effects: AdrEffect[] = [{ type: "announce_withdrawal" }];
      if (state.status === "in_review") effects.unshift({ type: "stop_sla_clock" });
      return accept({ ...state, status: "withdrawn", closedAt: now }, effects);
    }
    default:
      return assertNever(event, "ADR event");
  }
}
