import type { App, ViewClosedAction } from "@slack/bolt";
import { fieldsOfStep, readViewState } from "../../../domain/adr-form.ts";
import { keepAdrAnswers } from "../../../services/adr/drafts.ts";
import type { Deps } from "../../../services/deps.ts";
import { ADR_IDS, parseRequestMeta } from "../../ids/adr.ts";

/** The request form closed (notify_on_close): its answers stay as a draft for the next /agent-request. */
export function registerAdrRequestClosed(app: App, deps: Deps): void {
  app.view<ViewClosedAction>(
    { callback_id: ADR_IDS.requestCallback, type: "view_closed" },
    async ({ ack, body, view }) => {
      await ack();
      const step = parseRequestMeta(view.private_metadata);
      await keepAdrAnswers(deps, body.user.id, readViewState(view.state.values, fieldsOfStep(step)), step);
    },
  );
}
