import { quorumPoll } from "../../../blocks/incident/quorum-poll.ts";
import type { Tx } from "../../db/client.ts";
import { type AgentRow, emergencyQuorums, type IncidentRow } from "../../db/schema/index.ts";
import type { Actor } from "../audit/append.ts";
import type { Deps } from "../deps.ts";
import { type Effects, enqueueOutbox, scheduleDeadline } from "../effects.ts";
import { INCIDENT_KINDS, QUORUM_SUBJECT, quorumRef } from "./context.ts";
import { pollModel } from "./page.ts";

const THIRTY_MINUTES = 30 * 60_000;

/**
 * Opens the committee's emergency quorum on an incident (at most one per
 * incident: the unique index makes a second opening a no-op). Reminders go to
 * members who have not voted at half time and 30 minutes before the
 * deadline; incidents never wait for working hours.
 * @returns the quorum id, or null when one was already open or closed.
 */
export async function openEmergencyQuorum(
  tx: Tx,
  fx: Effects,
  deps: Deps,
  o: { incident: IncidentRow; agent: AgentRow; openedBy: string; actor: Actor; now: Date; notes: string[] },
): Promise<number | null> {
  const deadlineAt = new Date(o.now.getTime() + deps.config.quorum_deadline);
  const [row] = await tx
    .insert(emergencyQuorums)
    .values({
      incidentId: o.incident.id,
      agentId: o.agent.id,
      openedBy: o.openedBy,
      openedAt: o.now,
      deadlineAt,
    })
    .onConflictDoNothing({ target: emergencyQuorums.incidentId })
    .returning();
  if (!row) return null;
  const quorum = row;
  await enqueueOutbox(tx, fx, {
    op: "post",
    channel: deps.config.channels.committee,
    ref: quorumRef(quorum.id),
    message: quorumPoll(
      await pollModel(tx, deps, quorum, { incident: o.incident, agent: o.agent, votes: [] }),
    ),
  });
  const base = { subjectType: QUORUM_SUBJECT, subjectId: quorum.id, data: { incidentId: o.incident.id } };
  await scheduleDeadline(tx, fx, {
    ...base,
    key: `quorum-${quorum.id}-close`,
    kind: INCIDENT_KINDS.quorumClose,
    dueAt: deadlineAt,
  });
  const window = deps.config.quorum_deadline;
  await scheduleDeadline(tx, fx, {
    ...base,
    key: `quorum-${quorum.id}-remind-half`,
    kind: INCIDENT_KINDS.quorumReminder,
    dueAt: new Date(o.now.getTime() + window / 2),
  });
  // Only when "30 minutes before" falls after half time; shorter windows get the one reminder.
  if (window - THIRTY_MINUTES > window / 2) {
    await scheduleDeadline(tx, fx, {
      ...base,
      key: `quorum-${quorum.id}-remind-30m`,
      kind: INCIDENT_KINDS.quorumReminder,
      dueAt: new Date(deadlineAt.getTime() - THIRTY_MINUTES),
    });
  }
  await deps.audit.append(tx, {
    type: "quorum_opened",
    agentId: o.agent.id,
    actor: o.actor,
    data: { quorumId: quorum.id, incidentId: o.incident.id, deadline: deadlineAt.toISOString() },
    at: o.now,
  });
  o.notes.push(`:ballot_box_with_ballot: Emergency quorum opened in <#${deps.config.channels.committee}>.`);
  return quorum.id;
}
