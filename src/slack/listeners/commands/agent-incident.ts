import type { App } from "@slack/bolt";
import { declareIncidentModal } from "../../../../blocks/incident/declare-modal.ts";
import { helpMessage } from "../../../../blocks/help.ts";
import type { Deps } from "../../../services/deps.ts";
import { loadDeclareForm } from "../../../services/incidents/declare-form.ts";
import { openModalThenFill } from "../../open-modal.ts";

/** `/agent-incident [NAME]` opens the declaration modal (NAME pre-selects the agent); `help` explains. */
export function registerAgentIncident(app: App, deps: Deps): void {
  app.command("/agent-incident", async ({ command, ack, client }) => {
    const text = command.text.trim();
    if (text.toLowerCase() === "help") {
      await ack({ response_type: "ephemeral", ...helpMessage("agent-incident") });
      return;
    }
    await ack();
    const actor = { slackUser: command.user_id };
    await openModalThenFill(
      client,
      { triggerId: command.trigger_id, title: "Declare agent incident" },
      async () =>
        declareIncidentModal(
          await loadDeclareForm(deps, actor, text ? { agentName: text.slice(0, 200) } : {}),
        ),
    );
  });
}
