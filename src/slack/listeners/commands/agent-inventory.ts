import type { App } from "@slack/bolt";
import {
  agentNotFoundMessage,
  agentRecordMessage,
  inventoryListMessage,
} from "../../../../blocks/adr/inventory.ts";
import { helpMessage } from "../../../../blocks/help.ts";
import { findInventoryRecord, listInventory } from "../../../services/adr/inventory.ts";
import type { Deps } from "../../../services/deps.ts";

/** `/agent-inventory` lists the agents; `/agent-inventory NAME` shows one record; both only to the asker. */
export function registerAgentInventory(app: App, deps: Deps): void {
  app.command("/agent-inventory", async ({ command, ack, respond }) => {
    const text = command.text.trim();
    if (text.toLowerCase() === "help") {
      await ack({ response_type: "ephemeral", ...helpMessage("agent-inventory") });
      return;
    }
    await ack();
    if (text === "") {
      await respond({ response_type: "ephemeral", ...inventoryListMessage(await listInventory(deps.db)) });
      return;
    }
    const record = await findInventoryRecord(deps.db, text);
    const message = record ? agentRecordMessage(record) : agentNotFoundMessage(text);
    await respond({ response_type: "ephemeral", ...message });
  });
}
