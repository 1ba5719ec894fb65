import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { deleteAdrDraft } from "../../../services/adr/drafts.ts";
import type { Deps } from "../../../services/deps.ts";
import { requestStepView } from "../../adr-views.ts";
import { ADR_IDS } from "../../ids/adr.ts";

/** The draft prompt's "Start over": the draft is discarded and an empty form shown. */
export function registerAdrDraftStartOver(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(ADR_IDS.startOver, async ({ ack, body, client }) => {
    await ack();
    if (!body.view) return;
    await deleteAdrDraft(deps.db, body.user.id);
    await client.views.update({ view_id: body.view.id, hash: body.view.hash, view: requestStepView(1, {}) });
  });
}
