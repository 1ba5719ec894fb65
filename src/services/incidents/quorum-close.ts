import { and, eq } from "drizzle-orm";
import { boardQuorumNotice } from "../../../blocks/incident/notices.ts";
import { CHOICE_LABEL } from "../../../blocks/incident/quorum-poll.ts";
import type { Tx } from "../../db/client.ts";
import { findAgent, findIncident, type QuorumRow, quorumVotesOf } from "../../db/queries/incidents.ts";
import { emergencyQuorums } from "../../db/schema/index.ts";
import {
  type EmergencyQuorumResult,
  evaluateEmergencyQuorum,
  type QuorumChoice,
} from "../../domain/incident.ts";
import { escapeMrkdwn } from "../../domain/slack-text.ts";
import type { Actor } from "../audit/append.ts";
import type { Deps } from "../deps.ts";
import { cancelDeadlines, type Effects, enqueueOutbox } from "../effects.ts";
import { restoreAgent, suspendAgent } from "./agent-status.ts";
import { committeeOf, QUORUM_SUBJECT } from "./context.ts";
import { addTimeline, refOf, refreshPage, refreshPoll } from "./page.ts";

/** The quorum's state by the domain's rule, from its stored votes (call with the quorum row locked). */
export async function evaluateQuorum(
  tx: Tx,
  deps: Deps,
  quorum: QuorumRow,
  now: Date,
): Promise<EmergencyQuorumResult> {
  const votes = (await quorumVotesOf(tx, quorum.id)).map((v) => ({
    voter: v.voter,
    choice: v.choice as QuorumChoice,
    at: v.castAt,
  }));
  return evaluateEmergencyQuorum({
    committee: committeeOf(deps.config),
    votes,
    now,
    deadline: quorum.deadlineAt,
  });
}

/**
 * Closes the quorum exactly once (conditional on status = open) and applies
 * its outcome: restore un-suspends the agent; keep suspended suspends it if
 * a quorum so decided and it is not already; escalate, and a deadline without
 * quorum, notify the board (the agent stays as it is). Returns false when
 * someone else closed it first.
 */
export async function closeEmergencyQuorum(
  tx: Tx,
  fx: Effects,
  deps: Deps,
  o: { quorum: QuorumRow; result: Extract<EmergencyQuorumResult, { closed: true }>; actor: Actor; now: Date },
): Promise<boolean> {
  const { quorum, result, actor, now } = o;
  const [closed] = await tx
    .update(emergencyQuorums)
    .set({ status: "closed", outcome: result.outcome, closeReason: result.reason, closedAt: now })
    .where(and(eq(emergencyQuorums.id, quorum.id), eq(emergencyQuorums.status, "open")))
    .returning();
  if (!closed) return false;
  await cancelDeadlines(tx, fx, QUORUM_SUBJECT, quorum.id);
  const incident = await findIncident(tx, quorum.incidentId);
  const agent = await findAgent(tx, quorum.agentId, true);
  if (!incident || !agent) throw new Error(`quorum ${quorum.id} lost its incident or agent`);
  await deps.audit.append(tx, {
    type: "quorum_closed",
    agentId: agent.id,
    actor,
    data: {
      quorumId: quorum.id,
      incidentId: incident.id,
      outcome: result.outcome,
      reason: result.reason,
      tally: result.tally,
    },
    at: now,
  });
  const reason = `emergency quorum on incident #${incident.id}: ${CHOICE_LABEL[result.outcome].toLowerCase()}`;
  const base = { agent, reason, actor, now, incidentId: incident.id };
  let line: string;
  if (result.reason === "deadline") {
    line = `:hourglass: Emergency quorum closed at its deadline without quorum: the agent stays *${agent.status}*; the board was notified.`;
  } else if (result.outcome === "restore_service") {
    const to = await restoreAgent(tx, fx, deps, base);
    line = to
      ? `:arrow_forward: Emergency quorum decided *Restore service*: the agent is *${to}* again.`
      : `:information_source: Emergency quorum decided *Restore service*; the agent was *${agent.status}*, nothing to restore.`;
  } else if (result.outcome === "keep_suspended") {
    const s = agent.status === "suspended" ? null : await suspendAgent(tx, fx, deps, base);
    line =
      s && !s.done
        ? `:information_source: Emergency quorum decided *Keep suspended*, but the agent could not be suspended: ${escapeMrkdwn(s.why)}.`
        : ":no_entry: Emergency quorum decided *Keep suspended*: the agent stays suspended.";
  } else {
    line =
      ":classical_building: Emergency quorum decided *Escalate to board*: the board was notified; the agent stays as it is.";
  }
  if (result.reason === "deadline" || result.outcome === "escalate_to_board") {
    await enqueueOutbox(tx, fx, {
      op: "post",
      channel: deps.config.channels.board,
      message: boardQuorumNotice(refOf(incident, agent), result.outcome, result.reason),
    });
  }
  await refreshPoll(tx, fx, deps, closed);
  await refreshPage(tx, fx, deps, incident.id);
  await addTimeline(tx, fx, incident.id, line);
  return true;
}
