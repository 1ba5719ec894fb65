import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { conditionDoneModal } from "../../../../blocks/approval/modals.ts";
import { prepareCompletion } from "../../../services/approval/prepare-completion.ts";
import type { Deps } from "../../../services/deps.ts";
import { answerRefusal, answerTo, tell } from "../../answer.ts";
import { APPROVAL_ACTIONS, APPROVAL_VIEWS, encodeModalContext, parseItemValue } from "../../ids/approval.ts";

/** "Mark done" on a condition (owner's DM or App Home): the evidence form, for the owner only. */
export function registerApprovalConditionDone(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(APPROVAL_ACTIONS.markDone, async ({ ack, body, action }) => {
    await ack();
    const itemId = parseItemValue(action.value);
    if (itemId === null) return tell(deps.slack, answerTo(body), "That button no longer points at an item.");
    try {
      const form = await prepareCompletion(deps, { slackUser: body.user.id }, { itemId });
      const privateMetadata = encodeModalContext({ itemId, channel: body.channel?.id });
      await deps.slack.views.open({
        trigger_id: body.trigger_id,
        view: conditionDoneModal({ callbackId: APPROVAL_VIEWS.conditionDone, privateMetadata, ...form }),
      });
    } catch (err) {
      await answerRefusal(deps.slack, answerTo(body), err);
    }
  });
}
