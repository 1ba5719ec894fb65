import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { rejectVoteModal } from "../../../../blocks/approval/modals.ts";
import { prepareVote } from "../../../services/approval/prepare-vote.ts";
import type { Deps } from "../../../services/deps.ts";
import { answerRefusal, answerTo, tell } from "../../answer.ts";
import { APPROVAL_ACTIONS, APPROVAL_VIEWS, encodeModalContext, parseAdrValue } from "../../ids/approval.ts";

/** "Reject": the form asking for the reason. */
export function registerApprovalReject(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(APPROVAL_ACTIONS.reject, async ({ ack, body, action }) => {
    await ack();
    const adrId = parseAdrValue(action.value);
    if (adrId === null) return tell(deps.slack, answerTo(body), "That button no longer points at a request.");
    try {
      const form = await prepareVote(deps, { slackUser: body.user.id }, { adrId, choice: "reject" });
      const privateMetadata = encodeModalContext({ adrId, channel: body.channel?.id });
      await deps.slack.views.open({
        trigger_id: body.trigger_id,
        view: rejectVoteModal({ callbackId: APPROVAL_VIEWS.reject, privateMetadata, subject: form.subject }),
      });
    } catch (err) {
      await answerRefusal(deps.slack, answerTo(body), err);
    }
  });
}
