import type { App } from "@slack/bolt";
import { reviewRecordedView } from "../../../../blocks/timers/review-modal.ts";
import { isGovernorError } from "../../../domain/errors.ts";
import type { Deps } from "../../../services/deps.ts";
import { completeReview } from "../../../services/reviews/complete-review.ts";
import { parseReviewContext, REVIEW_FIELDS, REVIEW_INPUT_ACTION, REVIEW_VIEWS } from "../../ids/reviews.ts";

type Values = Record<
  string,
  Record<string, { value?: string | null; selected_option?: { value: string } | null }>
>;

/** The review modal's submission: errors stay on the form; success replaces it with a summary. */
export function registerAgentReviewView(app: App, deps: Deps): void {
  app.view(REVIEW_VIEWS.review, async ({ ack, body, view }) => {
    const ctx = parseReviewContext(view.private_metadata);
    const values = view.state.values as Values;
    const field = (block: string) => values[block]?.[REVIEW_INPUT_ACTION];
    if (!ctx)
      return void (await ack({
        response_action: "errors",
        errors: { [REVIEW_FIELDS.outcome]: "This form is out of date; start the review again." },
      }));
    try {
      const done = await completeReview(
        deps,
        { slackUser: body.user.id },
        {
          reviewId: ctx.reviewId,
          outcome: field(REVIEW_FIELDS.outcome)?.selected_option?.value ?? "",
          notes: field(REVIEW_FIELDS.notes)?.value ?? "",
          conditions: field(REVIEW_FIELDS.conditions)?.value ?? "",
        },
      );
      const summary = { ...done, conditions: done.conditionIds.length };
      await ack({ response_action: "update", view: reviewRecordedView(summary) });
    } catch (err) {
      if (!isGovernorError(err)) throw err;
      const errors = Object.keys(err.fields).length ? err.fields : { [REVIEW_FIELDS.outcome]: err.message };
      await ack({ response_action: "errors", errors });
    }
  });
}
