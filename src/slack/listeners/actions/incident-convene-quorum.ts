import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { Deps } from "../../../services/deps.ts";
import { conveneEmergencyQuorum } from "../../../services/incidents/convene-quorum.ts";
import { answerRefusal, answerTo, tell } from "../../answer.ts";
import { INCIDENT_ACTIONS, parseIncidentValue } from "../../ids/incident.ts";

/** "Convene emergency quorum" on the page: the chair or co-chair only. */
export function registerIncidentConveneQuorum(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTIONS.convene, async ({ ack, body, action }) => {
    await ack();
    const incidentId = parseIncidentValue(action.value);
    if (incidentId === null)
      return tell(deps.slack, answerTo(body), "That button no longer points at an incident.");
    try {
      await conveneEmergencyQuorum(deps, { slackUser: body.user.id }, { incidentId });
    } catch (err) {
      await answerRefusal(deps.slack, answerTo(body), err);
    }
  });
}
