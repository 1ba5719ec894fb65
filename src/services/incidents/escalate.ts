import { and, eq } from "drizzle-orm";
import { pageReply } from "../../../blocks/incident/notices.ts";
import { incidents } from "../../db/schema/index.ts";
import { incidentTransition } from "../../domain/incident.ts";
import type { Deps } from "../deps.ts";
import { cancelDeadlines, scheduleDeadline } from "../effects.ts";
import { inTransaction } from "../run.ts";
import {
  INCIDENT_KINDS,
  INCIDENT_SUBJECT,
  incidentState,
  lockIncident,
  refusalError,
  repageKey,
} from "./context.ts";
import { addTimeline, refreshPage } from "./page.ts";

/**
 * "Escalate" on the page: pages on-call again and mentions the CISO. While
 * the incident is unacknowledged the next re-page moves to one response SLA
 * from now (escalations and re-pages share one counter, so keys stay unique).
 */
export async function escalateIncident(
  deps: Deps,
  actor: { slackUser: string },
  input: { incidentId: number },
): Promise<void> {
  await inTransaction(deps, async (tx, fx) => {
    const incident = await lockIncident(tx, input.incidentId);
    const now = deps.now();
    const state = await incidentState(tx, incident, deps.config);
    const t = incidentTransition(state, { type: "escalate", by: actor.slackUser }, now);
    if (!t.ok) throw refusalError(t);
    const count = incident.repageCount + 1;
    await tx
      .update(incidents)
      .set({ repageCount: count, escalatedAt: now })
      .where(and(eq(incidents.id, incident.id), eq(incidents.status, incident.status)));
    for (const effect of t.effects) {
      if (effect.type !== "schedule_response_check") continue;
      await cancelDeadlines(tx, fx, INCIDENT_SUBJECT, incident.id, [INCIDENT_KINDS.repage]);
      await scheduleDeadline(tx, fx, {
        key: repageKey(incident.id, count + 1),
        kind: INCIDENT_KINDS.repage,
        subjectType: INCIDENT_SUBJECT,
        subjectId: incident.id,
        dueAt: effect.at,
        data: { n: count + 1 },
      });
    }
    const data = { incidentId: incident.id, escalations: count, status: incident.status };
    await deps.audit.append(tx, {
      type: "incident_escalated",
      agentId: incident.agentId,
      actor,
      data,
      at: now,
    });
    await deps.audit.append(tx, {
      type: "escalation_triggered",
      agentId: incident.agentId,
      actor,
      data,
      at: now,
    });
    await refreshPage(tx, fx, deps, incident.id);
    const what = `*Escalated* by <@${actor.slackUser}>.`;
    await addTimeline(tx, fx, incident.id, pageReply(what, deps.config.oncall, deps.config.ciso), true);
  });
}
