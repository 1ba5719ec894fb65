import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { raiseTierModal } from "../../../../blocks/approval/modals.ts";
import { prepareRaiseTier } from "../../../services/approval/prepare-raise-tier.ts";
import type { Deps } from "../../../services/deps.ts";
import { answerRefusal, answerTo, tell } from "../../answer.ts";
import { APPROVAL_ACTIONS, APPROVAL_VIEWS, encodeModalContext, parseAdrValue } from "../../ids/approval.ts";

/** "Raise tier" on a request: the chair's form (new tier + reason); anyone else is refused. */
export function registerApprovalRaiseTier(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(APPROVAL_ACTIONS.raiseTier, async ({ ack, body, action }) => {
    await ack();
    const adrId = parseAdrValue(action.value);
    if (adrId === null) return tell(deps.slack, answerTo(body), "That button no longer points at a request.");
    try {
      const form = await prepareRaiseTier(deps, { slackUser: body.user.id }, { adrId });
      const privateMetadata = encodeModalContext({ adrId, channel: body.channel?.id });
      await deps.slack.views.open({
        trigger_id: body.trigger_id,
        view: raiseTierModal({ callbackId: APPROVAL_VIEWS.raiseTier, privateMetadata, ...form }),
      });
    } catch (err) {
      await answerRefusal(deps.slack, answerTo(body), err);
    }
  });
}
