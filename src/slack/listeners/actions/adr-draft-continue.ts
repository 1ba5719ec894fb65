import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { loadAdrDraft } from "../../../services/adr/drafts.ts";
import type { Deps } from "../../../services/deps.ts";
import { draftNotice, requestStepView } from "../../adr-views.ts";
import { ADR_IDS } from "../../ids/adr.ts";

/** The draft prompt's "Continue draft": the form at the saved step, filled in. */
export function registerAdrDraftContinue(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(ADR_IDS.continueDraft, async ({ ack, body, client }) => {
    await ack();
    if (!body.view) return;
    const draft = await loadAdrDraft(deps, body.user.id);
    const view = draft
      ? requestStepView(draft.step, draft.values, { notice: draftNotice(draft) })
      : requestStepView(1, {});
    await client.views.update({ view_id: body.view.id, hash: body.view.hash, view });
  });
}
