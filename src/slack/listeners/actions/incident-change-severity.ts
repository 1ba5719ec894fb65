import type { App, BlockAction, StaticSelectAction } from "@slack/bolt";
import type { Deps } from "../../../services/deps.ts";
import { changeIncidentSeverity } from "../../../services/incidents/change-severity.ts";
import { answerRefusal, answerTo, tell } from "../../answer.ts";
import { INCIDENT_ACTIONS, parseSeverityChoiceValue } from "../../ids/incident.ts";

/** "Change severity" on the page; raising to SEV1 runs the SEV1 automation. */
export function registerIncidentChangeSeverity(app: App, deps: Deps): void {
  app.action<BlockAction<StaticSelectAction>>(
    INCIDENT_ACTIONS.changeSeverity,
    async ({ ack, body, action }) => {
      await ack();
      const choice = parseSeverityChoiceValue(action.selected_option?.value);
      if (!choice) return tell(deps.slack, answerTo(body), "That choice no longer points at an incident.");
      try {
        await changeIncidentSeverity(deps, { slackUser: body.user.id }, choice);
      } catch (err) {
        await answerRefusal(deps.slack, answerTo(body), err);
      }
    },
  );
}
