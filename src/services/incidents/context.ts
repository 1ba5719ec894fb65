import type { GovernorConfig } from "../../config/governor.ts";
import type { Tx } from "../../db/client.ts";
import { findAgent, findIncident, severityHistory } from "../../db/queries/incidents.ts";
import type { AgentRow, IncidentRow } from "../../db/schema/index.ts";
import { GovernorError } from "../../domain/errors.ts";
import {
  type AutomaticAction,
  type IncidentState,
  type IncidentStatus,
  isSeverity,
  SEVERITY,
  type Severity,
} from "../../domain/incident.ts";
import type { Committee } from "../../domain/quorum.ts";
import type { Refusal } from "../../domain/transition.ts";
import type { Actor } from "../audit/append.ts";

/** Deadline kinds, subjects and message refs of incidents; keys are natural and contain no ':'. */
export const INCIDENT_KINDS = {
  repage: "incident_repage",
  quorumClose: "quorum_close",
  quorumReminder: "quorum_reminder",
} as const;
export const INCIDENT_SUBJECT = "incident";
export const QUORUM_SUBJECT = "emergency_quorum";
export const incidentRef = (id: number): string => `incident-${id}`;
export const quorumRef = (id: number): string => `quorum-${id}`;
export const repageKey = (incidentId: number, n: number): string => `incident-${incidentId}-repage-${n}`;

export const SYSTEM: Actor = { system: "incident-timer" };

export function responseSlaMs(config: GovernorConfig, severity: Severity): number {
  const key = severity.toLowerCase() as "sev1" | "sev2" | "sev3";
  return config.incident_sla[key];
}

export function committeeOf(config: GovernorConfig): Committee {
  return {
    chair: config.committee.chair,
    coChair: config.committee.co_chair,
    members: config.committee.members.map((m) => ({ user: m.user, role: m.role })),
  };
}

export function severityOf(row: IncidentRow): Severity {
  if (!isSeverity(row.severity)) throw new Error(`incident ${row.id} has unknown severity ${row.severity}`);
  return row.severity;
}

/** The slack user behind an actor, for state columns (acknowledged_by, …); runtimes and timers have none. */
export function actorName(actor: Actor): string {
  if ("slackUser" in actor) return actor.slackUser;
  if ("agentRuntime" in actor) return `agent-runtime-${actor.agentRuntime}`;
  return `system-${actor.system}`;
}

export async function lockIncident(tx: Tx, id: number): Promise<IncidentRow> {
  const row = await findIncident(tx, id, true);
  if (!row) throw new GovernorError("not_found", `There is no incident #${id}.`);
  return row;
}

export async function agentOf(tx: Tx, incident: IncidentRow, lock = false): Promise<AgentRow> {
  const agent = await findAgent(tx, incident.agentId, lock);
  if (!agent) throw new Error(`incident ${incident.id} names missing agent ${incident.agentId}`);
  return agent;
}

/**
 * The domain's view of a stored incident. Automatic actions already taken
 * are those of every severity the incident has held (from its audit
 * entries), so a later raise fires only what is new.
 */
export async function incidentState(
  tx: Tx,
  row: IncidentRow,
  config: GovernorConfig,
): Promise<IncidentState> {
  const severity = severityOf(row);
  const held = new Set((await severityHistory(tx, row)).filter(isSeverity));
  held.add(severity);
  const actionsTaken = new Set<AutomaticAction>();
  for (const s of held) for (const a of SEVERITY[s].automaticActions) actionsTaken.add(a);
  return {
    status: row.status as IncidentStatus,
    severity,
    responseSlaMs: responseSlaMs(config, severity),
    declaredAt: row.declaredAt,
    responseDueAt: row.responseDueAt,
    acknowledgedBy: row.acknowledgedBy,
    acknowledgedAt: row.acknowledgedAt,
    escalations: row.repageCount,
    escalatedAt: row.escalatedAt,
    resolvedBy: row.resolvedBy,
    resolvedAt: row.resolvedAt,
    resolution: row.resolution,
    actionsTaken: [...actionsTaken],
  };
}

/** A domain refusal as the error every transport maps. */
export function refusalError(refusal: Refusal, field?: string): GovernorError {
  const message = refusal.reason.charAt(0).toUpperCase() + refusal.reason.slice(1);
  switch (refusal.code) {
    case "invalid_input":
      return new GovernorError("validation", message, field ? { [field]: message } : {});
    case "forbidden":
      return new GovernorError("forbidden", message);
    default:
      return new GovernorError("conflict", message);
  }
}
