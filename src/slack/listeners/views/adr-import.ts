import type { App, ViewSubmitAction } from "@slack/bolt";
import { summariseIssues } from "../../../domain/adr-intake.ts";
import { importAdrYaml } from "../../../services/adr/import.ts";
import type { Deps } from "../../../services/deps.ts";
import { draftNotice, requestStepView } from "../../adr-views.ts";
import { ADR_IDS } from "../../ids/adr.ts";

/**
 * The pasted ADR YAML: every problem listed (with its path) on the `adr_yaml`
 * input; a good file becomes the draft and opens the form, filled in, for review.
 */
export function registerAdrImportView(app: App, deps: Deps): void {
  app.view<ViewSubmitAction>(ADR_IDS.importCallback, async ({ ack, body, view }) => {
    const input = view.state.values[ADR_IDS.importBlock]?.[ADR_IDS.inputAction]?.value ?? "";
    const imported = await importAdrYaml(deps, { userId: body.user.id }, input);
    if (!imported.ok) {
      await ack({
        response_action: "errors",
        errors: { [ADR_IDS.importBlock]: summariseIssues(imported.issues) },
      });
      return;
    }
    const notice = draftNotice({ source: "import", derivedRisk: imported.derivedRisk });
    await ack({ response_action: "update", view: requestStepView(1, imported.values, { notice }) });
  });
}
