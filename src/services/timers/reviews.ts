import { and, eq, inArray } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { agentReviews, agents } from "../../db/schema/index.ts";
import { type ReviewKind, reviewDueAt, type Tier } from "../../domain/tier-policy.ts";
import { reviewPlan } from "../../domain/timer-plan.ts";
import type { Deps } from "../deps.ts";
import { cancelDeadlines, type Effects, scheduleDeadline } from "../effects.ts";

export const REVIEW_KINDS = { reminder: "review_reminder", overdue: "review_overdue" } as const;
export const REVIEW_SUBJECT = "agent_review";

export type ReviewTimerData = { reviewId: number; agentId: number; when?: "early" | "due"; week?: number };

/**
 * Records the agent's next review of `kind`, due after the tier's days from
 * `from`, with its reminders (owners 14 days before and on the day, in their
 * working hours) and its first overdue escalation to the chair. A scheduled
 * review of the same kind is replaced (e.g. the post-deployment review moves
 * from approval to deployment); the same due date again is a no-op.
 */
export async function scheduleNextReview(
  tx: Tx,
  fx: Effects,
  deps: Deps,
  input: { agentId: number; tier: Tier; kind: ReviewKind; from: Date },
): Promise<Date> {
  const dueAt = reviewDueAt(input.tier, input.kind, input.from);
  // Serialise schedulers of one agent on its row.
  await tx.select({ id: agents.id }).from(agents).where(eq(agents.id, input.agentId)).for("update");
  const scheduled = await tx
    .select()
    .from(agentReviews)
    .where(
      and(
        eq(agentReviews.agentId, input.agentId),
        eq(agentReviews.kind, input.kind),
        eq(agentReviews.status, "scheduled"),
      ),
    );
  const same = scheduled.find((r) => r.dueAt.getTime() === dueAt.getTime());
  if (same && scheduled.length === 1) return dueAt;
  await cancelReviews(
    tx,
    fx,
    scheduled.map((r) => r.id),
  );

  const [review] = await tx
    .insert(agentReviews)
    .values({ agentId: input.agentId, kind: input.kind, dueAt })
    .returning({ id: agentReviews.id });
  const reviewId = review!.id;
  const plan = reviewPlan(dueAt, deps.now());
  const base = { subjectType: REVIEW_SUBJECT, subjectId: reviewId };
  const data: ReviewTimerData = { reviewId, agentId: input.agentId };
  if (plan.early) {
    await scheduleDeadline(tx, fx, {
      ...base,
      key: `review-${reviewId}-reminder-early`,
      kind: REVIEW_KINDS.reminder,
      dueAt: plan.early,
      data: { ...data, when: "early" },
    });
  }
  await scheduleDeadline(tx, fx, {
    ...base,
    key: `review-${reviewId}-reminder-due`,
    kind: REVIEW_KINDS.reminder,
    dueAt: plan.dueDay,
    data: { ...data, when: "due" },
  });
  await scheduleOverdueEscalation(tx, fx, reviewId, input.agentId, 1, plan.firstOverdue);
  await tx
    .update(agents)
    .set({ nextReviewDate: dueAt, updatedAt: deps.now() })
    .where(eq(agents.id, input.agentId));
  await deps.audit.append(tx, {
    type: "review_scheduled",
    agentId: input.agentId,
    actor: { system: "reviews" },
    at: deps.now(),
    data: {
      reviewId,
      kind: input.kind,
      tier: input.tier,
      dueAt: dueAt.toISOString(),
      from: input.from.toISOString(),
    },
  });
  return dueAt;
}

export async function scheduleOverdueEscalation(
  tx: Tx,
  fx: Effects,
  reviewId: number,
  agentId: number,
  week: number,
  dueAt: Date,
): Promise<void> {
  await scheduleDeadline(tx, fx, {
    key: `review-${reviewId}-overdue-${week}`,
    kind: REVIEW_KINDS.overdue,
    subjectType: REVIEW_SUBJECT,
    subjectId: reviewId,
    dueAt,
    data: { reviewId, agentId, week } satisfies ReviewTimerData,
  });
}

/** Marks scheduled reviews cancelled and cancels their timers. */
export async function cancelReviews(tx: Tx, fx: Effects, reviewIds: number[]): Promise<void> {
  if (!reviewIds.length) return;
  await tx
    .update(agentReviews)
    .set({ status: "cancelled" })
    .where(and(inArray(agentReviews.id, reviewIds), eq(agentReviews.status, "scheduled")));
  for (const id of reviewIds) await cancelReviewTimers(tx, fx, id);
}

export async function cancelReviewTimers(tx: Tx, fx: Effects, reviewId: number): Promise<void> {
  await cancelDeadlines(tx, fx, REVIEW_SUBJECT, reviewId, [REVIEW_KINDS.reminder, REVIEW_KINDS.overdue]);
}
