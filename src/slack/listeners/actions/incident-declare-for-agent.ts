import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { declareIncidentModal } from "../../../../blocks/incident/declare-modal.ts";
import type { Deps } from "../../../services/deps.ts";
import { loadDeclareForm } from "../../../services/incidents/declare-form.ts";
import { answerTo, tell } from "../../answer.ts";
import { INCIDENT_ACTIONS, parseAgentValue } from "../../ids/incident.ts";
import { openModalThenFill } from "../../open-modal.ts";

/** "Declare incident" on an agent's inventory view: the declaration modal with the agent chosen. */
export function registerIncidentDeclareForAgent(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(
    INCIDENT_ACTIONS.declareForAgent,
    async ({ ack, body, action, client }) => {
      await ack();
      const agentId = parseAgentValue(action.value);
      if (agentId === null)
        return tell(deps.slack, answerTo(body), "That button no longer points at an agent.");
      // From inside a modal the form stacks on top of it; elsewhere it opens fresh.
      const where = {
        triggerId: body.trigger_id,
        title: "Declare agent incident",
        stack: body.view?.type === "modal",
      };
      await openModalThenFill(client, where, async () =>
        declareIncidentModal(await loadDeclareForm(deps, { slackUser: body.user.id }, { agentId })),
      );
    },
  );
}
