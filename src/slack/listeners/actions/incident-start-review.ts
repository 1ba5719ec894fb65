import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { reviewModal } from "../../../../blocks/incident/review-modal.ts";
import type { Deps } from "../../../services/deps.ts";
import { loadReviewForm } from "../../../services/incidents/review-form.ts";
import { answerTo, tell } from "../../answer.ts";
import { INCIDENT_ACTIONS, parseIncidentValue } from "../../ids/incident.ts";
import { openModalThenFill } from "../../open-modal.ts";

/** "Start review" in a resolved incident's thread: the post-incident review modal. */
export function registerIncidentStartReview(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(
    INCIDENT_ACTIONS.startReview,
    async ({ ack, body, action, client }) => {
      await ack();
      const incidentId = parseIncidentValue(action.value);
      if (incidentId === null)
        return tell(deps.slack, answerTo(body), "That button no longer points at an incident.");
      await openModalThenFill(
        client,
        { triggerId: body.trigger_id, title: "Post-incident review" },
        async () => reviewModal(await loadReviewForm(deps, { slackUser: body.user.id }, { incidentId })),
      );
    },
  );
}
