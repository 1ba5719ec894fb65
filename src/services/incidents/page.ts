import { type IncidentPageModel, incidentPage } from "../../../blocks/incident/page.ts";
import { type QuorumPollModel, quorumPoll } from "../../../blocks/incident/quorum-poll.ts";
import { type IncidentRef, type Message, timelineEntry } from "../../../blocks/incident/notices.ts";
import type { Tx } from "../../db/client.ts";
import {
  findAgent,
  findIncident,
  findQuorumOfIncident,
  quorumVotesOf,
  type QuorumRow,
  type QuorumVoteRow,
} from "../../db/queries/incidents.ts";
import type { AgentRow, IncidentRow } from "../../db/schema/index.ts";
import type { IncidentStatus, QuorumChoice } from "../../domain/incident.ts";
import { evaluateEmergencyQuorum } from "../../domain/incident.ts";
import { latestVotes, quorumProgress } from "../../domain/quorum.ts";
import type { Deps } from "../deps.ts";
import { type Effects, enqueueOutbox } from "../effects.ts";
import { committeeOf, incidentRef, quorumRef, responseSlaMs, severityOf } from "./context.ts";

/**
 * Renderings of an incident's durable messages from stored state: the page
 * (updated in place), its thread (the timeline) and the quorum poll. Always
 * rendered from the rows as they are inside the caller's transaction.
 */
export function refOf(incident: IncidentRow, agent: AgentRow): IncidentRef {
  return {
    id: incident.id,
    severity: severityOf(incident),
    agentName: agent.name,
    summary: incident.summary,
  };
}

/** Rows already in hand (current within this transaction) are used instead of read again. */
export type Known = { incident?: IncidentRow; agent?: AgentRow };

export async function pageModel(
  tx: Tx,
  deps: Deps,
  incidentId: number,
  known: Known = {},
): Promise<IncidentPageModel> {
  const incident = known.incident ?? (await findIncident(tx, incidentId));
  if (!incident) throw new Error(`incident ${incidentId} vanished`);
  const agent = known.agent ?? (await findAgent(tx, incident.agentId));
  if (!agent) throw new Error(`incident ${incidentId} names missing agent ${incident.agentId}`);
  const quorum = await findQuorumOfIncident(tx, incident.id);
  const severity = severityOf(incident);
  return {
    id: incident.id,
    severity,
    status: incident.status as IncidentStatus,
    agent: {
      name: agent.name,
      status: agent.status,
      riskTier: agent.riskTier,
      businessOwner: agent.businessOwner,
      technicalOwner: agent.technicalOwner,
    },
    summary: incident.summary,
    observed: incident.observed,
    declaredBy: incident.source === "slack" ? incident.declaredBy : null,
    declaredAt: incident.declaredAt,
    responseDueAt: incident.responseDueAt,
    responseSlaMs: responseSlaMs(deps.config, severity),
    acknowledgedBy: incident.acknowledgedBy,
    acknowledgedAt: incident.acknowledgedAt,
    resolvedBy: incident.resolvedBy,
    resolvedAt: incident.resolvedAt,
    resolution: incident.resolution,
    repageCount: incident.repageCount,
    checklistDone: (incident.checklistDone as number[]) ?? [],
    oncall: deps.config.oncall,
    ciso: severity === "SEV1" ? deps.config.ciso : null,
    quorum: quorum ? { status: quorum.status, outcome: quorum.outcome } : null,
  };
}

/**
 * The page's first posting (declaration). Its delivery job goes to the queue
 * ahead of the transaction's other messages (DMs, board notice, poll): the
 * page is what on-call is waiting for, and the thread replies wait for it.
 */
export async function postPage(
  tx: Tx,
  fx: Effects,
  deps: Deps,
  incidentId: number,
  known: Known = {},
): Promise<void> {
  const message = incidentPage(await pageModel(tx, deps, incidentId, known));
  const outboxId = await enqueueOutbox(tx, fx, {
    op: "post",
    channel: deps.config.channels.oncall,
    ref: incidentRef(incidentId),
    message,
  });
  fx.outboxIds.splice(fx.outboxIds.indexOf(outboxId), 1);
  fx.outboxIds.unshift(outboxId);
}

/** Re-renders the page in place (an older pending update is superseded by this one). */
export async function refreshPage(tx: Tx, fx: Effects, deps: Deps, incidentId: number): Promise<void> {
  const message = incidentPage(await pageModel(tx, deps, incidentId));
  await enqueueOutbox(tx, fx, { op: "update", ref: incidentRef(incidentId), message });
}

/** One event of the timeline, as a reply in the page's thread. */
export async function addTimeline(
  tx: Tx,
  fx: Effects,
  incidentId: number,
  text: string | Message,
  broadcast = false,
): Promise<void> {
  const message = typeof text === "string" ? timelineEntry(text) : text;
  await enqueueOutbox(tx, fx, {
    op: "reply",
    ref: incidentRef(incidentId),
    message,
    ...(broadcast ? { broadcast: true } : {}),
  });
}

export async function pollModel(
  tx: Tx,
  deps: Deps,
  quorum: QuorumRow,
  known: Known & { votes?: QuorumVoteRow[] } = {},
): Promise<QuorumPollModel> {
  const incident = known.incident ?? (await findIncident(tx, quorum.incidentId));
  const agent = known.agent ?? (incident ? await findAgent(tx, incident.agentId) : null);
  if (!incident || !agent) throw new Error(`quorum ${quorum.id} lost its incident`);
  const committee = committeeOf(deps.config);
  const rows = known.votes ?? (await quorumVotesOf(tx, quorum.id));
  const votes = rows.map((v) => ({ voter: v.voter, choice: v.choice as QuorumChoice, at: v.castAt }));
  const evaluation = evaluateEmergencyQuorum({
    committee,
    votes,
    now: quorum.deadlineAt,
    deadline: quorum.deadlineAt,
  });
  const counted = latestVotes(votes.filter((v) => v.at.getTime() < quorum.deadlineAt.getTime()));
  const progress = quorumProgress(
    committee,
    counted.map((v) => v.voter),
  );
  return {
    quorumId: quorum.id,
    incidentId: incident.id,
    severity: severityOf(incident),
    agentName: agent.name,
    agentStatus: agent.status,
    summary: incident.summary,
    status: quorum.status === "open" ? "open" : "closed",
    outcome: (quorum.outcome as QuorumChoice | null) ?? null,
    closeReason: (quorum.closeReason as "quorum" | "deadline" | null) ?? null,
    tally: evaluation.tally,
    votes: counted.map((v) => ({ voter: v.voter, choice: v.choice })),
    needed: progress.needed,
    members: progress.members,
    deadline: quorum.deadlineAt,
    openedBy: quorum.openedBy.startsWith("system") ? null : quorum.openedBy,
    closedAt: quorum.closedAt,
  };
}

export async function refreshPoll(tx: Tx, fx: Effects, deps: Deps, quorum: QuorumRow): Promise<void> {
  const message = quorumPoll(await pollModel(tx, deps, quorum));
  await enqueueOutbox(tx, fx, { op: "update", ref: quorumRef(quorum.id), message });
}
