import { and, eq } from "drizzle-orm";
import { slackDate } from "../../../blocks/incident/format.ts";
import { incidents } from "../../db/schema/index.ts";
import { incidentTransition, type Severity, severityRank } from "../../domain/incident.ts";
import type { Deps } from "../deps.ts";
import { rescheduleDeadline } from "../effects.ts";
import { inTransaction } from "../run.ts";
import { carryOutAutomaticActions } from "./automation.ts";
import { agentOf, incidentState, lockIncident, refusalError, repageKey, responseSlaMs } from "./context.ts";
import { addTimeline, refreshPage } from "./page.ts";

/**
 * "Change severity" on the page. The response deadline is recomputed from
 * the declaration at the new severity's SLA (the pending re-page moves with
 * it; a deadline already past fires at once). Raising fires the new
 * severity's automatic actions not yet taken, in this transaction: raising to
 * SEV1 suspends the agent, DMs the CISO, notifies the board and opens the
 * emergency quorum. Lowering undoes nothing.
 */
export async function changeIncidentSeverity(
  deps: Deps,
  actor: { slackUser: string },
  input: { incidentId: number; severity: Severity },
): Promise<void> {
  await inTransaction(deps, async (tx, fx) => {
    const incident = await lockIncident(tx, input.incidentId);
    const agent = await agentOf(tx, incident, true);
    const now = deps.now();
    const sla = responseSlaMs(deps.config, input.severity);
    const event = {
      type: "change_severity" as const,
      by: actor.slackUser,
      to: input.severity,
      reason: "changed on the incident page",
      responseSlaMs: sla,
    };
    const t = incidentTransition(await incidentState(tx, incident, deps.config), event, now);
    if (!t.ok) throw refusalError(t);
    let responseDueAt = incident.responseDueAt;
    if (incident.status === "declared") {
      const due = incident.declaredAt.getTime() + sla * (incident.repageCount + 1);
      responseDueAt = new Date(Math.max(due, now.getTime()));
    }
    await tx
      .update(incidents)
      // The checklist is the new severity's: ticks of the old list do not carry over.
      .set({ severity: input.severity, responseDueAt, checklistDone: [] })
      .where(and(eq(incidents.id, incident.id), eq(incidents.status, incident.status)));
    if (incident.status === "declared") {
      await rescheduleDeadline(tx, fx, repageKey(incident.id, incident.repageCount + 1), responseDueAt);
    }
    await deps.audit.append(tx, {
      type: "incident_severity_changed",
      agentId: incident.agentId,
      actor,
      data: {
        incidentId: incident.id,
        from: incident.severity,
        to: input.severity,
        responseDueAt: responseDueAt.toISOString(),
      },
      at: now,
    });
    const raised = severityRank(input.severity) < severityRank(incident.severity as Severity);
    const notes: string[] = [];
    const updated = { ...incident, severity: input.severity, responseDueAt };
    await carryOutAutomaticActions(tx, fx, deps, {
      incident: updated,
      agent,
      effects: t.effects,
      actor,
      now,
      declaring: false,
      pageText: `*Raised to ${input.severity}* by <@${actor.slackUser}>.`,
      notes,
    });
    await refreshPage(tx, fx, deps, incident.id);
    const due = incident.status === "declared" ? `; respond by ${slackDate(responseDueAt)}` : "";
    await addTimeline(
      tx,
      fx,
      incident.id,
      `${raised ? ":arrow_up:" : ":arrow_down:"} Severity changed from ${incident.severity} to *${input.severity}* by <@${actor.slackUser}>${due}.`,
    );
    if (notes.length) await addTimeline(tx, fx, incident.id, notes.join("\n"));
  });
}
