import type { App } from "@slack/bolt";
import { declaredModal } from "../../../../blocks/incident/declare-modal.ts";
import { isGovernorError } from "../../../domain/errors.ts";
import type { Deps } from "../../../services/deps.ts";
import { declareIncident } from "../../../services/incidents/declare.ts";
import { DECLARE_FIELDS, INCIDENT_VIEWS, parseAgentValue, readInput } from "../../ids/incident.ts";

/**
 * The declaration modal. The incident is declared before the answer (a
 * single short transaction), so a refusal lands on the field; the view id is
 * the submission key, so a retried submission declares nothing twice.
 */
export function registerIncidentDeclareView(app: App, deps: Deps): void {
  app.view(INCIDENT_VIEWS.declare, async ({ ack, body, view }) => {
    const values = view.state.values;
    const agentId = parseAgentValue(readInput(values, DECLARE_FIELDS.agent));
    if (agentId === null)
      return ack({ response_action: "errors", errors: { [DECLARE_FIELDS.agent]: "Choose the agent." } });
    try {
      const declared = await declareIncident(
        deps,
        { slackUser: body.user.id },
        {
          agentId,
          severity: readInput(values, DECLARE_FIELDS.severity) ?? "",
          summary: readInput(values, DECLARE_FIELDS.summary) ?? "",
          observed: readInput(values, DECLARE_FIELDS.observed),
          submissionKey: `slack-view-${view.id}`,
        },
      );
      const oncallChannel = deps.config.channels.oncall;
      await ack({ response_action: "update", view: declaredModal({ ...declared, oncallChannel }) });
    } catch (err) {
      if (!isGovernorError(err) || !Object.keys(err.fields).length) throw err;
      await ack({ response_action: "errors", errors: err.fields });
    }
  });
}
