import type { App } from "@slack/bolt";
import { helpMessage } from "../../../../blocks/help.ts";
import type { Deps } from "../../../services/deps.ts";

export function registerAgentInventory(app: App, _deps: Deps): void {
  app.command("/agent-inventory", async ({ command, ack, respond }) => {
    const sub = command.text.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
    if (sub === "help" || sub === "") {
      await ack({ response_type: "ephemeral", ...helpMessage("agent-inventory") });
      return;
    }
    await ack();
    await respond({ response_type: "ephemeral", text: "Unknown option. Try `/agent-inventory help`." });
  });
}
