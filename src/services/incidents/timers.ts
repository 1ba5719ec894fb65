import { and, eq } from "drizzle-orm";
import { minutesLabel } from "../../../blocks/incident/format.ts";
import { pageReply, quorumReminderDm } from "../../../blocks/incident/notices.ts";
import { findAgent, findIncident, findQuorum } from "../../db/queries/incidents.ts";
import { incidents } from "../../db/schema/index.ts";
import { incidentTransition } from "../../domain/incident.ts";
import { deferOutbox, scheduleDeadline } from "../effects.ts";
import type { DeadlineContext, DeadlineHandlers } from "../timers/fire.ts";
import { INCIDENT_KINDS, INCIDENT_SUBJECT, incidentState, repageKey, SYSTEM } from "./context.ts";
import { addTimeline, refOf, refreshPage } from "./page.ts";
import { closeEmergencyQuorum, evaluateQuorum } from "./quorum-close.ts";

/**
 * Not acknowledged in time: re-page in the thread mentioning on-call and the
 * CISO, and schedule the next check one response SLA later, until someone
 * acknowledges. Immediate, never held for working hours.
 */
async function repage({ deps, tx, fx, deadline, now }: DeadlineContext): Promise<void> {
  const incident = await findIncident(tx, Number(deadline.subjectId), true);
  if (incident?.status !== "declared") return;
  const state = await incidentState(tx, incident, deps.config);
  const t = incidentTransition(
    state,
    { type: "escalate", by: "system", reason: "not acknowledged in time" },
    now,
  );
  if (!t.ok) return;
  const n = incident.repageCount + 1;
  await tx
    .update(incidents)
    .set({ repageCount: n, escalatedAt: now })
    .where(and(eq(incidents.id, incident.id), eq(incidents.status, "declared")));
  // The next interval counts from when this check was due, so a late timer does not drift the cadence.
  let next = new Date(deadline.dueAt.getTime() + state.responseSlaMs);
  if (next.getTime() <= now.getTime()) next = new Date(now.getTime() + state.responseSlaMs);
  await scheduleDeadline(tx, fx, {
    key: repageKey(incident.id, n + 1),
    kind: INCIDENT_KINDS.repage,
    subjectType: INCIDENT_SUBJECT,
    subjectId: incident.id,
    dueAt: next,
    data: { n: n + 1 },
  });
  await deps.audit.append(tx, {
    type: "incident_repaged",
    agentId: incident.agentId,
    actor: SYSTEM,
    data: { incidentId: incident.id, repage: n, overdueMs: now.getTime() - incident.responseDueAt.getTime() },
    at: now,
  });
  const what = `*Re-page ${n}*: incident #${incident.id} is not acknowledged within its ${minutesLabel(state.responseSlaMs)} response SLA.`;
  await addTimeline(tx, fx, incident.id, pageReply(what, deps.config.oncall, deps.config.ciso), true);
  await refreshPage(tx, fx, deps, incident.id);
}

/** Half time and 30 minutes before the deadline: DM the members who have not voted. */
async function remindQuorum({ deps, tx, fx, deadline, now }: DeadlineContext): Promise<void> {
  const quorum = await findQuorum(tx, Number(deadline.subjectId), true);
  if (quorum?.status !== "open") return;
  const result = await evaluateQuorum(tx, deps, quorum, now);
  if (result.closed) return;
  const incident = await findIncident(tx, quorum.incidentId);
  const agent = await findAgent(tx, quorum.agentId);
  if (!incident || !agent) return;
  const message = quorumReminderDm(refOf(incident, agent), quorum.deadlineAt);
  for (const user of result.awaiting) deferOutbox(fx, { op: "dm", user, message });
}

/** The deadline: close with quorum if it was reached in time, else without (the agent stays as it is). */
async function closeQuorumAtDeadline({ deps, tx, fx, deadline, now }: DeadlineContext): Promise<void> {
  const quorum = await findQuorum(tx, Number(deadline.subjectId), true);
  if (quorum?.status !== "open") return;
  const at = now.getTime() < quorum.deadlineAt.getTime() ? quorum.deadlineAt : now;
  const result = await evaluateQuorum(tx, deps, quorum, at);
  if (!result.closed) return;
  await closeEmergencyQuorum(tx, fx, deps, { quorum, result, actor: SYSTEM, now });
}

export const INCIDENT_DEADLINE_HANDLERS: DeadlineHandlers = {
  [INCIDENT_KINDS.repage]: repage,
  [INCIDENT_KINDS.quorumReminder]: remindQuorum,
  [INCIDENT_KINDS.quorumClose]: closeQuorumAtDeadline,
};
