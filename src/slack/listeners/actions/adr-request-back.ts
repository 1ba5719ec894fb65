import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { fieldsOfStep, readViewState } from "../../../domain/adr-form.ts";
import { keepAdrAnswers } from "../../../services/adr/drafts.ts";
import type { Deps } from "../../../services/deps.ts";
import { draftNotice, requestStepView } from "../../adr-views.ts";
import { ADR_IDS, parseRequestMeta } from "../../ids/adr.ts";

/** "Back to step N" in the request form: keeps what was typed on this step, shows the previous one. */
export function registerAdrRequestBack(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(ADR_IDS.back, async ({ ack, body, client }) => {
    await ack();
    if (!body.view) return;
    const step = parseRequestMeta(body.view.private_metadata);
    const previous = step === 3 ? 2 : 1;
    const typed = readViewState(body.view.state.values, fieldsOfStep(step));
    const draft = await keepAdrAnswers(deps, body.user.id, typed, previous);
    const view = requestStepView(previous, draft?.values ?? typed, {
      notice: draft ? draftNotice(draft) : undefined,
    });
    await client.views.update({ view_id: body.view.id, hash: body.view.hash, view });
  });
}
