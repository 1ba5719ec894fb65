import { eq } from "drizzle-orm";
import { incidents } from "../../db/schema/index.ts";
import { SEVERITY } from "../../domain/incident.ts";
import { escapeMrkdwn } from "../../domain/slack-text.ts";
import type { Deps } from "../deps.ts";
import { inTransaction } from "../run.ts";
import { lockIncident, severityOf } from "./context.ts";
import { addTimeline, refreshPage } from "./page.ts";

/**
 * Ticks and unticks items of the framework's checklist on the page. Slack
 * sends the clicker's whole selection; the listener turns it into what this
 * click changed, so two people ticking different items at once both count.
 */
export async function updateIncidentChecklist(
  deps: Deps,
  actor: { slackUser: string },
  input: { incidentId: number; ticked: number[]; unticked: number[] },
): Promise<{ done: number[] }> {
  return inTransaction(deps, async (tx, fx) => {
    const incident = await lockIncident(tx, input.incidentId);
    const items = SEVERITY[severityOf(incident)].checklist;
    const valid = (i: number) => Number.isInteger(i) && i >= 0 && i < items.length;
    const before = new Set(((incident.checklistDone as number[]) ?? []).filter(valid));
    const after = new Set(before);
    for (const i of input.ticked.filter(valid)) after.add(i);
    for (const i of input.unticked.filter(valid)) after.delete(i);
    const done = [...after].sort((a, b) => a - b);
    const changed = done.length !== before.size || done.some((i) => !before.has(i));
    if (!changed) return { done };
    await tx.update(incidents).set({ checklistDone: done }).where(eq(incidents.id, incident.id));
    await deps.audit.append(tx, {
      type: "incident_checklist_updated",
      agentId: incident.agentId,
      actor,
      data: {
        incidentId: incident.id,
        ticked: done.filter((i) => !before.has(i)).map((i) => items[i]),
        unticked: [...before].filter((i) => !after.has(i)).map((i) => items[i]),
      },
      at: deps.now(),
    });
    await refreshPage(tx, fx, deps, incident.id);
    for (const i of done.filter((i) => !before.has(i))) {
      await addTimeline(
        tx,
        fx,
        incident.id,
        `:ballot_box_with_check: ${escapeMrkdwn(items[i] ?? "")} (<@${actor.slackUser}>)`,
      );
    }
    for (const i of [...before].filter((i) => !after.has(i))) {
      await addTimeline(
        tx,
        fx,
        incident.id,
        `:white_large_square: Unticked: ${escapeMrkdwn(items[i] ?? "")} (<@${actor.slackUser}>)`,
      );
    }
    return { done };
  });
}
