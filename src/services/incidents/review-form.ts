import { slackDate } from "../../../blocks/incident/format.ts";
import type { ReviewFormModel } from "../../../blocks/incident/review-modal.ts";
import { findAgent, findIncident, findReview } from "../../db/queries/incidents.ts";
import { GovernorError } from "../../domain/errors.ts";
import type { Deps } from "../deps.ts";
import { severityOf } from "./context.ts";
import { reconstructTimeline } from "./review-timeline.ts";

/** What the post-incident review modal shows: the incident and its timeline from the audit trail. */
export async function loadReviewForm(
  deps: Deps,
  _actor: { slackUser: string },
  input: { incidentId: number },
): Promise<ReviewFormModel> {
  const review = await findReview(deps.db, input.incidentId);
  const incident = await findIncident(deps.db, input.incidentId);
  if (!review || !incident) {
    throw new GovernorError(
      "not_found",
      `No post-incident review for incident ${input.incidentId}: it opens when the incident is resolved.`,
    );
  }
  if (review.status === "completed") {
    const when = review.completedAt ? slackDate(review.completedAt) : "earlier";
    throw new GovernorError(
      "conflict",
      `This review was already completed by <@${review.completedBy}> at ${when}.`,
    );
  }
  const agent = await findAgent(deps.db, incident.agentId);
  return {
    incidentId: incident.id,
    severity: severityOf(incident),
    agentName: agent?.name ?? "?",
    summary: incident.summary,
    resolution: incident.resolution,
    timeline: await reconstructTimeline(deps.db, incident, deps.now()),
  };
}
