import type { App } from "@slack/bolt";
import { checkTierRaise, raiseTier } from "../../../services/approval/raise-tier.ts";
import type { Deps } from "../../../services/deps.ts";
import { answerRefusal } from "../../answer.ts";
import {
  APPROVAL_FIELDS,
  APPROVAL_VIEWS,
  type ModalValues,
  parseModalContext,
  readText,
  readTier,
} from "../../ids/approval.ts";

/** The chair's Raise tier form: new tier and reason. */
export function registerApprovalRaiseTierView(app: App, deps: Deps): void {
  app.view(APPROVAL_VIEWS.raiseTier, async ({ ack, body, view }) => {
    const values = view.state.values as ModalValues;
    const input = { tier: readTier(values), reason: readText(values, APPROVAL_FIELDS.reason) };
    const errors = checkTierRaise(input);
    if (errors) return ack({ response_action: "errors", errors });
    await ack();
    const ctx = parseModalContext(view.private_metadata);
    if (!ctx?.adrId) return;
    try {
      await raiseTier(deps, { slackUser: body.user.id }, { adrId: ctx.adrId, ...input });
    } catch (err) {
      await answerRefusal(deps.slack, { user: body.user.id, channel: ctx.channel }, err);
    }
  });
}
