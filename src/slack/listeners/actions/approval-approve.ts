import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { castVote } from "../../../services/approval/cast-vote.ts";
import type { Deps } from "../../../services/deps.ts";
import { answerRefusal, answerTo, tell } from "../../answer.ts";
import { APPROVAL_ACTIONS, parseAdrValue } from "../../ids/approval.ts";

/** "Approve" on a request or a sign-off DM: recorded at once. */
export function registerApprovalApprove(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(APPROVAL_ACTIONS.approve, async ({ ack, body, action }) => {
    await ack();
    const adrId = parseAdrValue(action.value);
    if (adrId === null) return tell(deps.slack, answerTo(body), "That button no longer points at a request.");
    try {
      await castVote(deps, { slackUser: body.user.id }, { adrId, choice: "approve" });
    } catch (err) {
      await answerRefusal(deps.slack, answerTo(body), err);
    }
  });
}
