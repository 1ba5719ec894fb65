import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { refusalReply } from "../../../../blocks/timers/replies.ts";
import { reviewModal } from "../../../../blocks/timers/review-modal.ts";
import { isGovernorError } from "../../../domain/errors.ts";
import type { Deps } from "../../../services/deps.ts";
import { startReview } from "../../../services/reviews/start-review.ts";
import {
  encodeReviewContext,
  parseReviewValue,
  REVIEW_ACTIONS,
  REVIEW_FIELDS,
  REVIEW_INPUT_ACTION,
  REVIEW_VIEWS,
} from "../../ids/reviews.ts";

const IDS = { callbackId: REVIEW_VIEWS.review, ...REVIEW_FIELDS, inputAction: REVIEW_INPUT_ACTION };

/** "Start review" (reminder DMs, App Home): opens the review modal for those who may review. */
export function registerStartReview(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(
    REVIEW_ACTIONS.start,
    async ({ ack, body, action, client, respond }) => {
      await ack();
      const tell = async (text: string) => {
        if (body.response_url)
          await respond({ response_type: "ephemeral", replace_original: false, ...refusalReply(text) });
        else await client.chat.postMessage({ channel: body.user.id, ...refusalReply(text) });
      };
      const reviewId = parseReviewValue(action.value);
      if (reviewId === null) return void (await tell("That button no longer points at a review."));
      try {
        const m = await startReview(deps, { slackUser: body.user.id }, reviewId);
        const view = reviewModal({ ...m, privateMetadata: encodeReviewContext({ reviewId }) }, IDS);
        await client.views.open({ trigger_id: body.trigger_id, view });
      } catch (err) {
        if (!isGovernorError(err)) throw err;
        await tell(err.message);
      }
    },
  );
}
