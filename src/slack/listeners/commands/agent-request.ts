import type { App } from "@slack/bolt";
import { adrImportView } from "../../../../blocks/adr/intake-views.ts";
import { helpMessage } from "../../../../blocks/help.ts";
import { loadAdrDraft } from "../../../services/adr/drafts.ts";
import type { Deps } from "../../../services/deps.ts";
import { draftPromptView, requestStepView } from "../../adr-views.ts";
import { ADR_IDS } from "../../ids/adr.ts";
import { openView, serializeView } from "../../views-open.ts";

/** Step 1 of an empty form is the same for everyone (fields and ids are fixed): serialised once. */
const emptyForm = serializeView(requestStepView(1, {}));
const importForm = serializeView(adrImportView(ADR_IDS));

/**
 * `/agent-request` opens the ADR form (or, with a saved draft, asks whether to
 * continue it); `import` opens the YAML import; `help` explains. The trigger_id
 * lives 3 s: ack, one primary-key draft lookup, then views.open, nothing else.
 */
export function registerAgentRequest(app: App, deps: Deps): void {
  app.command("/agent-request", async ({ command, ack, respond, client }) => {
    const sub = command.text.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
    if (sub === "help") {
      await ack({ response_type: "ephemeral", ...helpMessage("agent-request") });
      return;
    }
    await ack();
    if (sub === "import") {
      await openView(client, command.trigger_id, importForm);
      return;
    }
    if (sub !== "") {
      await respond({ response_type: "ephemeral", text: "Unknown option. Try `/agent-request help`." });
      return;
    }
    const draft = await loadAdrDraft(deps, command.user_id);
    await openView(client, command.trigger_id, draft ? draftPromptView(draft) : emptyForm);
  });
}
