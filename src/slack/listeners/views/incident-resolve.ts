import type { App } from "@slack/bolt";
import { isGovernorError } from "../../../domain/errors.ts";
import type { Deps } from "../../../services/deps.ts";
import { resolveIncident } from "../../../services/incidents/resolve.ts";
import { INCIDENT_VIEWS, parseIncidentValue, RESOLVE_FIELDS, readInput } from "../../ids/incident.ts";

/** The resolution modal: an empty summary, or an incident resolved meanwhile, is answered on the field. */
export function registerIncidentResolveView(app: App, deps: Deps): void {
  app.view(INCIDENT_VIEWS.resolve, async ({ ack, body, view }) => {
    const incidentId = parseIncidentValue(view.private_metadata);
    const field = RESOLVE_FIELDS.resolution;
    if (incidentId === null)
      return ack({ response_action: "errors", errors: { [field]: "This form lost its incident." } });
    try {
      const resolution = readInput(view.state.values, field) ?? "";
      await resolveIncident(deps, { slackUser: body.user.id }, { incidentId, resolution });
      await ack();
    } catch (err) {
      if (!isGovernorError(err) || err.code === "unavailable") throw err;
      await ack({ response_action: "errors", errors: { [field]: err.fields[field] ?? err.message } });
    }
  });
}
