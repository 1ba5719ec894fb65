import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { Deps } from "../../../services/deps.ts";
import { escalateIncident } from "../../../services/incidents/escalate.ts";
import { answerRefusal, answerTo, tell } from "../../answer.ts";
import { INCIDENT_ACTIONS, parseIncidentValue } from "../../ids/incident.ts";

/** "Escalate" on the page: on-call and the CISO are paged again in the thread. */
export function registerIncidentEscalate(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTIONS.escalate, async ({ ack, body, action }) => {
    await ack();
    const incidentId = parseIncidentValue(action.value);
    if (incidentId === null)
      return tell(deps.slack, answerTo(body), "That button no longer points at an incident.");
    try {
      await escalateIncident(deps, { slackUser: body.user.id }, { incidentId });
    } catch (err) {
      await answerRefusal(deps.slack, answerTo(body), err);
    }
  });
}
