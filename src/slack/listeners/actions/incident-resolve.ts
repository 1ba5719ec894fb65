import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { resolveIncidentModal } from "../../../../blocks/incident/resolve-modal.ts";
import type { Deps } from "../../../services/deps.ts";
import { loadResolveForm } from "../../../services/incidents/resolve-form.ts";
import { answerTo, tell } from "../../answer.ts";
import { INCIDENT_ACTIONS, parseIncidentValue } from "../../ids/incident.ts";
import { openModalThenFill } from "../../open-modal.ts";

/** "Resolve" on the page opens the resolution modal (its summary is required). */
export function registerIncidentResolve(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTIONS.resolve, async ({ ack, body, action, client }) => {
    await ack();
    const incidentId = parseIncidentValue(action.value);
    if (incidentId === null)
      return tell(deps.slack, answerTo(body), "That button no longer points at an incident.");
    await openModalThenFill(client, { triggerId: body.trigger_id, title: "Resolve incident" }, async () =>
      resolveIncidentModal(await loadResolveForm(deps, { slackUser: body.user.id }, { incidentId })),
    );
  });
}
