import { and, eq } from "drizzle-orm";
import { DateTime } from "luxon";
import { slackDate } from "../../../blocks/incident/format.ts";
import { reviewMessage } from "../../../blocks/incident/review-message.ts";
import { findAgent, findIncident, findReview } from "../../db/queries/incidents.ts";
import { postIncidentReviews, remediationItems } from "../../db/schema/index.ts";
import { GovernorError } from "../../domain/errors.ts";
import {
  type PostIncidentReviewContent,
  type ReviewDraft,
  validateReview,
} from "../../domain/post-incident-review.ts";
import type { Deps } from "../deps.ts";
import { inTransaction } from "../run.ts";
import { scheduleRemediationTimers } from "../timers/remediation.ts";
import { addTimeline, refOf } from "./page.ts";
import { reconstructTimeline } from "./review-timeline.ts";

/**
 * Completes the post-incident review once: the framework's fields, the
 * timeline from the audit trail, and each remediation action as a tracked
 * item (source pir_action) with its owner's reminders. Posted, formatted, in
 * the incident's thread; exportable with `agov pir export`.
 */
export async function completePostIncidentReview(
  deps: Deps,
  actor: { slackUser: string },
  input: { incidentId: number; draft: ReviewDraft },
): Promise<{ remediationItemIds: number[] }> {
  const tz = deps.config.calendar.timezone;
  const today = DateTime.fromJSDate(deps.now(), { zone: tz }).toISODate() ?? "";
  const checked = validateReview(input.draft, today);
  if (!checked.ok) {
    throw new GovernorError("validation", Object.values(checked.errors)[0] ?? "invalid", checked.errors);
  }
  return inTransaction(deps, async (tx, fx) => {
    const review = await findReview(tx, input.incidentId, true);
    if (!review) {
      throw new GovernorError(
        "not_found",
        `No post-incident review for incident ${input.incidentId}: it opens when the incident is resolved.`,
      );
    }
    if (review.status === "completed") {
      const who = review.completedBy ? `<@${review.completedBy}>` : "someone";
      const when = review.completedAt ? slackDate(review.completedAt) : "earlier";
      throw new GovernorError("conflict", `This review was already completed by ${who} at ${when}.`);
    }
    const incident = await findIncident(tx, input.incidentId);
    const agent = incident ? await findAgent(tx, incident.agentId) : null;
    if (!incident || !agent) throw new Error(`review ${review.id} lost its incident`);
    const now = deps.now();
    const content: PostIncidentReviewContent = {
      ...checked.review,
      timeline: await reconstructTimeline(tx, incident, now),
    };
    const [done] = await tx
      .update(postIncidentReviews)
      .set({ status: "completed", content, completedBy: actor.slackUser, completedAt: now })
      .where(and(eq(postIncidentReviews.id, review.id), eq(postIncidentReviews.status, "pending")))
      .returning({ id: postIncidentReviews.id });
    if (!done) throw new GovernorError("conflict", "This review was completed meanwhile.");
    const remediationItemIds: number[] = [];
    for (const action of content.remediationActions) {
      const deadline = DateTime.fromISO(action.deadline, { zone: tz }).endOf("day").toJSDate();
      const [item] = await tx
        .insert(remediationItems)
        .values({
          source: "pir_action",
          incidentId: incident.id,
          agentId: agent.id,
          description: action.description,
          owner: action.owner,
          deadline,
          createdAt: now,
        })
        .returning({ id: remediationItems.id });
      if (!item) throw new Error("remediation item insert returned nothing");
      remediationItemIds.push(item.id);
      await scheduleRemediationTimers(tx, fx, deps, { itemId: item.id, owner: action.owner, deadline });
    }
    await deps.audit.append(tx, {
      type: "post_incident_review_completed",
      agentId: agent.id,
      actor,
      data: { incidentId: incident.id, remediationItemIds, timelineEvents: content.timeline.length },
      at: now,
    });
    await addTimeline(
      tx,
      fx,
      incident.id,
      reviewMessage(refOf(incident, agent), content, actor.slackUser, now),
    );
    return { remediationItemIds };
  });
}
