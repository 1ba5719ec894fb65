import type { App } from "@slack/bolt";
import { isGovernorError } from "../../../domain/errors.ts";
import type { Deps } from "../../../services/deps.ts";
import { completePostIncidentReview } from "../../../services/incidents/complete-review.ts";
import { answerRefusal } from "../../answer.ts";
import { INCIDENT_VIEWS, parseIncidentValue, readReviewDraft, REVIEW_FIELDS } from "../../ids/incident.ts";

/** The post-incident review modal: field errors in place; a completed review is posted in the thread. */
export function registerIncidentReviewView(app: App, deps: Deps): void {
  app.view(INCIDENT_VIEWS.review, async ({ ack, body, view }) => {
    const incidentId = parseIncidentValue(view.private_metadata);
    if (incidentId === null) {
      return ack({
        response_action: "errors",
        errors: { [REVIEW_FIELDS.rootCause]: "This form lost its incident." },
      });
    }
    try {
      const draft = readReviewDraft(view.state.values);
      await completePostIncidentReview(deps, { slackUser: body.user.id }, { incidentId, draft });
      await ack();
    } catch (err) {
      if (isGovernorError(err) && Object.keys(err.fields).length) {
        return ack({ response_action: "errors", errors: err.fields });
      }
      await ack();
      await answerRefusal(deps.slack, { user: body.user.id }, err);
    }
  });
}
