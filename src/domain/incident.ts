import {
  type AutomaticAction,
  EMERGENCY_QUORUM_WINDOW_MS,
  SEVERITY,
  type Severity,
  severityRank,
} from "./incident-severity.ts";
import { accept, assertNever, refuse, type Transition } from "./transition.ts";

export {
  type EmergencyQuorumResult,
  evaluateEmergencyQuorum,
  QUORUM_CHOICES_RESTRICTIVE_FIRST,
  type QuorumChoice,
  type QuorumTally,
  type QuorumVote,
} from "./emergency-quorum.ts";
export {
  type AutomaticAction,
  EMERGENCY_QUORUM_WINDOW_MS,
  isSeverity,
  SEVERITIES,
  SEVERITY,
  type Severity,
  type SeverityProfile,
  severityRank,
} from "./incident-severity.ts";

/**
 * Incident lifecycle: declared → acknowledged → resolved, with `escalate` and
 * `change_severity` allowed until resolved.
 *
 * Choices:
 * - Resolving an unacknowledged incident is allowed and counts as its
 *   acknowledgement by the resolver (the page shows Resolve beside
 *   Acknowledge; refusing would only add a click), so re-pages stop.
 * - Raising the severity fires the new severity's automatic actions that have
 *   not run yet (a SEV3 raised to SEV1 suspends the agent and opens the
 *   quorum) and may shorten the response deadline, never extend it. Lowering
 *   it undoes nothing: a suspended agent is restored by the emergency quorum
 *   or an explicit restore, not by a relabel.
 * - `escalate` (the button, or the response-SLA timer with by = "system")
 *   re-pages on-call and mentions the CISO; while unacknowledged it schedules
 *   the next check one response SLA later.
 */
export type IncidentStatus = "declared" | "acknowledged" | "resolved";

export type IncidentState = {
  status: IncidentStatus;
  severity: Severity;
  /** Time allowed to acknowledge at the current severity (config or the table's default). */
  responseSlaMs: number;
  declaredAt: Date;
  responseDueAt: Date;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
  escalations: number;
  escalatedAt: Date | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  resolution: string | null;
  /** Automatic actions already fired, so a severity change fires only new ones. */
  actionsTaken: AutomaticAction[];
};

export type IncidentEvent =
  | { type: "acknowledge"; by: string }
  | { type: "escalate"; by: string; reason?: string }
  | { type: "change_severity"; by: string; to: Severity; reason: string; responseSlaMs?: number }
  | { type: "resolve"; by: string; summary: string };

export type PageTarget = "on_call" | "ciso";

export type IncidentEffect =
  | { type: "suspend_agent" }
  | { type: "page"; targets: PageTarget[]; reason: string }
  | { type: "notify_board" }
  | { type: "open_emergency_quorum"; deadline: Date }
  | { type: "alert_security" }
  | { type: "alert_agent_owner" }
  /** (Re)schedule the "not acknowledged in time" check; the job id is the incident's, so this replaces it. */
  | { type: "schedule_response_check"; at: Date }
  | { type: "cancel_response_check" }
  | { type: "open_post_incident_review" };

export type IncidentTransition = Transition<IncidentState, IncidentEffect>;

/** Effects for automatic actions not yet taken; the pages are merged into one. */
function actionEffects(
  actions: readonly AutomaticAction[],
  taken: readonly AutomaticAction[],
  now: Date,
  reason: string,
): { fresh: AutomaticAction[]; effects: IncidentEffect[] } {
  const fresh = actions.filter((a) => !taken.includes(a));
  const effects: IncidentEffect[] = [];
  const targets: PageTarget[] = [];
  for (const action of fresh) {
    switch (action) {
      case "page_on_call":
        targets.push("on_call");
        break;
      case "page_ciso":
        targets.push("ciso");
        break;
      case "suspend_agent":
      case "notify_board":
      case "alert_security":
      case "alert_agent_owner":
        effects.push({ type: action });
        break;
      case "open_emergency_quorum":
        effects.push({ type: action, deadline: new Date(now.getTime() + EMERGENCY_QUORUM_WINDOW_MS) });
        break;
      default:
        assertNever(action, "automatic action");
    }
  }
  if (targets.length > 0) effects.unshift({ type: "page", targets, reason });
  return { fresh, effects };
}

/** A new incident and its automatic actions. @throws RangeError for a non-positive SLA. */
export function declareIncident(
  input: { severity: Severity; responseSlaMs?: number },
  now: Date,
): { state: IncidentState; effects: IncidentEffect[] } {
  const responseSlaMs = input.responseSlaMs ?? SEVERITY[input.severity].responseSlaMs;
  if (!(responseSlaMs > 0)) throw new RangeError(`response SLA must be positive, got ${responseSlaMs}`);
  const responseDueAt = new Date(now.getTime() + responseSlaMs);
  const { fresh, effects } = actionEffects(
    SEVERITY[input.severity].automaticActions,
    [],
    now,
    `${input.severity} declared`,
  );
  const state: IncidentState = {
    status: "declared",
    severity: input.severity,
    responseSlaMs,
    declaredAt: now,
    responseDueAt,
    acknowledgedBy: null,
    acknowledgedAt: null,
    escalations: 0,
    escalatedAt: null,
    resolvedBy: null,
    resolvedAt: null,
    resolution: null,
    actionsTaken: fresh,
  };
  return { state, effects: [...effects, { type: "schedule_response_check", at: responseDueAt }] };
}

function alreadyResolved(state: IncidentState, what: string): IncidentTransition {
  const by = state.resolvedBy ?? "someone";
  const at = state.resolvedAt?.toISOString() ?? "an earlier time";
  return refuse("invalid_transition", `cannot ${what}: already resolved by ${by} at ${at}`);
}

function changeSeverity(
  state: IncidentState,
  event: Extract<IncidentEvent, { type: "change_severity" }>,
  now: Date,
): IncidentTransition {
  if (state.status === "resolved") return alreadyResolved(state, "change the severity");
  if (event.to === state.severity) return refuse("duplicate", `the incident is already ${state.severity}`);
  if (!event.reason.trim()) return refuse("invalid_input", "a severity change needs a reason");
  const responseSlaMs = event.responseSlaMs ?? SEVERITY[event.to].responseSlaMs;
  if (!(responseSlaMs > 0)) return refuse("invalid_input", "the response SLA must be positive");
  const raised = severityRank(event.to) < severityRank(state.severity);
  const { fresh, effects } = raised
    ? actionEffects(
        SEVERITY[event.to].automaticActions,
        state.actionsTaken,
        now,
        `raised to ${event.to}: ${event.reason}`,
      )
    : { fresh: [], effects: [] as IncidentEffect[] };
  let responseDueAt = state.responseDueAt;
  if (state.status === "declared") {
    const sooner = now.getTime() + responseSlaMs;
    if (sooner < responseDueAt.getTime()) {
      responseDueAt = new Date(sooner);
      effects.push({ type: "schedule_response_check", at: responseDueAt });
    }
  }
  return accept(
    {
      ...state,
      severity: event.to,
      responseSlaMs,
      responseDueAt,
      actionsTaken: [...state.actionsTaken, ...fresh],
    },
    effects,
  );
}

export function incidentTransition(
  state: IncidentState,
  event: IncidentEvent,
  now: Date,
): IncidentTransition {
  switch (event.type) {
    case "acknowledge":
      if (state.status === "resolved") return alreadyResolved(state, "acknowledge");
      if (state.status === "acknowledged") {
        const at = state.acknowledgedAt?.toISOString() ?? "an earlier time";
        return refuse("duplicate", `already acknowledged by ${state.acknowledgedBy ?? "someone"} at ${at}`);
      }
      return accept({ ...state, status: "acknowledged", acknowledgedBy: event.by, acknowledgedAt: now }, [
        { type: "cancel_response_check" },
      ]);
    case "escalate": {
      if (state.status === "resolved") return alreadyResolved(state, "escalate");
      const reason = event.reason?.trim() || `escalated by ${event.by}`;
      const effects: IncidentEffect[] = [{ type: "page", targets: ["on_call", "ciso"], reason }];
      if (state.status === "declared") {
        effects.push({ type: "schedule_response_check", at: new Date(now.getTime() + state.responseSlaMs) });
      }
      return accept({ ...state, escalations: state.escalations + 1, escalatedAt: now }, effects);
    }
    case "change_severity":
      return changeSeverity(state, event, now);
    case "resolve": {
      if (state.status === "resolved") {
        const at = state.resolvedAt?.toISOString() ?? "an earlier time";
        return refuse("duplicate", `already resolved by ${state.resolvedBy ?? "someone"} at ${at}`);
      }
      const summary = event.summary.trim();
      if (!summary) return refuse("invalid_input", "resolving needs a resolution summary");
      const implicitAck = state.status === "declared";
      const effects: IncidentEffect[] = implicitAck ? [{ type: "cancel_response_check" }] : [];
      effects.push({ type: "open_post_incident_review" });
      return accept(
        {
          ...state,
          status: "resolved",
          acknowledgedBy: implicitAck ? event.by : state.acknowledgedBy,
          acknowledgedAt: implicitAck ? now : state.acknowledgedAt,
          resolvedBy: event.by,
          resolvedAt: now,
          resolution: summary,
        },
        effects,
      );
    }
    default:
      return assertNever(event, "incident event");
  }
}
