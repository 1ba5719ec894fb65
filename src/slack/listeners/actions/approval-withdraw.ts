import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { withdrawRequest } from "../../../services/approval/withdraw.ts";
import type { Deps } from "../../../services/deps.ts";
import { answerRefusal, answerTo, tell } from "../../answer.ts";
import { APPROVAL_ACTIONS, parseAdrValue } from "../../ids/approval.ts";

/** "Withdraw" on a request: only its requester, only before the decision. */
export function registerApprovalWithdraw(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(APPROVAL_ACTIONS.withdraw, async ({ ack, body, action }) => {
    await ack();
    const adrId = parseAdrValue(action.value);
    if (adrId === null) return tell(deps.slack, answerTo(body), "That button no longer points at a request.");
    try {
      await withdrawRequest(deps, { slackUser: body.user.id }, { adrId });
    } catch (err) {
      await answerRefusal(deps.slack, answerTo(body), err);
    }
  });
}
