import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { Deps } from "../../../services/deps.ts";
import { acknowledgeIncident } from "../../../services/incidents/acknowledge.ts";
import { answerRefusal, answerTo, tell } from "../../answer.ts";
import { INCIDENT_ACTIONS, parseIncidentValue } from "../../ids/incident.ts";

/** "Acknowledge" on the page: once; a second click hears who was first. */
export function registerIncidentAcknowledge(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTIONS.acknowledge, async ({ ack, body, action }) => {
    await ack();
    const incidentId = parseIncidentValue(action.value);
    if (incidentId === null)
      return tell(deps.slack, answerTo(body), "That button no longer points at an incident.");
    try {
      await acknowledgeIncident(deps, { slackUser: body.user.id }, { incidentId });
    } catch (err) {
      await answerRefusal(deps.slack, answerTo(body), err);
    }
  });
}
