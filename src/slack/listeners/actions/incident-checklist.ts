import type { App, BlockAction, CheckboxesAction } from "@slack/bolt";
import type { Deps } from "../../../services/deps.ts";
import { updateIncidentChecklist } from "../../../services/incidents/update-checklist.ts";
import { answerRefusal, answerTo } from "../../answer.ts";
import { checklistChange, INCIDENT_ACTIONS, shownChecklist } from "../../ids/incident.ts";

/** Ticking the framework's checklist on the page: recorded, and the page updated for everyone. */
export function registerIncidentChecklist(app: App, deps: Deps): void {
  app.action<BlockAction<CheckboxesAction>>(INCIDENT_ACTIONS.checklist, async ({ ack, body, action }) => {
    await ack();
    const change = checklistChange(action.selected_options ?? [], shownChecklist(body.message?.blocks));
    if (change.incidentId === null) return;
    try {
      await updateIncidentChecklist(
        deps,
        { slackUser: body.user.id },
        {
          incidentId: change.incidentId,
          ticked: change.ticked,
          unticked: change.unticked,
        },
      );
    } catch (err) {
      await answerRefusal(deps.slack, answerTo(body), err);
    }
  });
}
