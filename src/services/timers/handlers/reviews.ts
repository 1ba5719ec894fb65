import { eq } from "drizzle-orm";
import { reviewOverdueMessage, reviewReminderMessage } from "../../../../blocks/timers/reviews.ts";
import { agentReviews, agents } from "../../../db/schema/index.ts";
import type { ReviewKind } from "../../../domain/tier-policy.ts";
import { REVIEW_OVERDUE_EVERY_MS } from "../../../domain/timer-plan.ts";
import { startReviewControl } from "../../../slack/ids/reviews.ts";
import { deferOutbox } from "../../effects.ts";
import type { DeadlineContext, DeadlineHandlers } from "../fire.ts";
import { REVIEW_KINDS, type ReviewTimerData, scheduleOverdueEscalation } from "../reviews.ts";

/** The review and its agent if the review is still to be done; else null (nothing to remind of). */
async function scheduledReview(ctx: DeadlineContext) {
  const { reviewId } = ctx.deadline.data as ReviewTimerData;
  const [review] = await ctx.tx
    .select()
    .from(agentReviews)
    .where(eq(agentReviews.id, reviewId))
    .for("update");
  if (review?.status !== "scheduled") return null;
  const [agent] = await ctx.tx.select().from(agents).where(eq(agents.id, review.agentId));
  if (!agent || agent.status === "decommissioned") return null;
  return { review, agent, owners: [...new Set([agent.businessOwner, agent.technicalOwner])] };
}

async function remind(ctx: DeadlineContext): Promise<void> {
  const subject = await scheduledReview(ctx);
  if (!subject) return;
  const { review, agent, owners } = subject;
  const when = (ctx.deadline.data as ReviewTimerData).when ?? "due";
  const message = reviewReminderMessage({
    agentName: agent.name,
    kind: review.kind as ReviewKind,
    dueAt: review.dueAt,
    start: startReviewControl(review.id),
    when,
  });
  for (const user of owners) deferOutbox(ctx.fx, { op: "dm", user, message, workingHours: true });
  await ctx.deps.audit.append(ctx.tx, {
    type: "review_reminder_sent",
    agentId: agent.id,
    actor: { system: "reviews" },
    at: ctx.now,
    data: {
      reviewId: review.id,
      kind: review.kind,
      when,
      dueAt: review.dueAt.toISOString(),
      recipients: owners.map((u) => ctx.deps.audit.actorId({ slackUser: u })),
    },
  });
}

/** Weekly while overdue: DM the chair at once, then schedule next week's escalation. */
async function escalate(ctx: DeadlineContext): Promise<void> {
  const subject = await scheduledReview(ctx);
  if (!subject) return;
  const { review, agent, owners } = subject;
  const { deps, tx, fx } = ctx;
  const week = (ctx.deadline.data as ReviewTimerData).week ?? 1;
  const chair = deps.config.committee.chair;
  const daysOverdue = Math.max(1, Math.floor((ctx.now.getTime() - review.dueAt.getTime()) / 86_400_000));
  const message = reviewOverdueMessage({
    agentName: agent.name,
    kind: review.kind as ReviewKind,
    dueAt: review.dueAt,
    start: startReviewControl(review.id),
    owners,
    daysOverdue,
  });
  deferOutbox(fx, { op: "dm", user: chair, message });
  // From the fired time, not the planned one: a timer that fired late is not followed by a burst.
  const next = new Date(Math.max(ctx.deadline.dueAt.getTime(), ctx.now.getTime()) + REVIEW_OVERDUE_EVERY_MS);
  await scheduleOverdueEscalation(tx, fx, review.id, agent.id, week + 1, next);
  await deps.audit.append(tx, {
    type: "review_overdue",
    agentId: agent.id,
    actor: { system: "reviews" },
    at: ctx.now,
    data: {
      reviewId: review.id,
      kind: review.kind,
      week,
      dueAt: review.dueAt.toISOString(),
      escalatedTo: deps.audit.actorId({ slackUser: chair }),
    },
  });
}

export const REVIEW_DEADLINE_HANDLERS: DeadlineHandlers = {
  [REVIEW_KINDS.reminder]: remind,
  [REVIEW_KINDS.overdue]: escalate,
};
