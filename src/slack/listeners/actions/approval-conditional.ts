import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { conditionalVoteModal } from "../../../../blocks/approval/modals.ts";
import { prepareVote } from "../../../services/approval/prepare-vote.ts";
import type { Deps } from "../../../services/deps.ts";
import { answerRefusal, answerTo, tell } from "../../answer.ts";
import { APPROVAL_ACTIONS, APPROVAL_VIEWS, encodeModalContext, parseAdrValue } from "../../ids/approval.ts";

/** "Conditional": the form asking for conditions (1–5, each with owner and deadline). */
export function registerApprovalConditional(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(APPROVAL_ACTIONS.conditional, async ({ ack, body, action }) => {
    await ack();
    const adrId = parseAdrValue(action.value);
    if (adrId === null) return tell(deps.slack, answerTo(body), "That button no longer points at a request.");
    try {
      const form = await prepareVote(deps, { slackUser: body.user.id }, { adrId, choice: "conditional" });
      const privateMetadata = encodeModalContext({ adrId, channel: body.channel?.id });
      await deps.slack.views.open({
        trigger_id: body.trigger_id,
        view: conditionalVoteModal({
          callbackId: APPROVAL_VIEWS.conditional,
          privateMetadata,
          subject: form.subject,
        }),
      });
    } catch (err) {
      await answerRefusal(deps.slack, answerTo(body), err);
    }
  });
}
