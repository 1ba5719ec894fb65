import { and, eq, isNull } from "drizzle-orm";
import { reviewOutcomeNotice } from "../../../blocks/timers/review-modal.ts";
import type { Tx } from "../../db/client.ts";
import { type AgentRow, agentReviews, agents, agentTokens, remediationItems } from "../../db/schema/index.ts";
import { agentTransition } from "../../domain/approval.ts";
import { GovernorError } from "../../domain/errors.ts";
import { isReviewOutcome, parseReviewConditions, type ReviewOutcome } from "../../domain/review-outcome.ts";
import type { Deps } from "../deps.ts";
import { type Effects, enqueueOutbox } from "../effects.ts";
import { inTransaction } from "../run.ts";
import { scheduleRemediationTimers } from "../timers/remediation.ts";
import { cancelReviews, cancelReviewTimers, scheduleNextReview } from "../timers/reviews.ts";
import { agentStateOf, refusalError } from "./agent-state.ts";
import { loadReviewFor, type SlackActor } from "./start-review.ts";

export type CompleteReviewInput = { reviewId: number; outcome: string; notes: string; conditions: string };
export type CompletedReview = {
  agentName: string;
  outcome: ReviewOutcome;
  nextReviewDue: Date | null;
  conditionIds: number[];
};

const FIELD = { outcome: "review.outcome", notes: "review.notes", conditions: "review.conditions" } as const;

/**
 * Records a review: the outcome applies to the agent (suspend, decommission),
 * conditions become tracked items with reminders, this review's timers stop
 * and the next periodic review is scheduled (none after decommissioning).
 * Exactly once: a second submission finds the review completed (conflict).
 */
export async function completeReview(
  deps: Deps,
  actor: SlackActor,
  input: CompleteReviewInput,
): Promise<CompletedReview> {
  const now = deps.now();
  const outcome = input.outcome;
  if (!isReviewOutcome(outcome))
    throw new GovernorError("validation", "Choose an outcome.", { [FIELD.outcome]: "Choose an outcome." });
  const notes = input.notes.trim();
  if (notes.length > 3000)
    throw new GovernorError("validation", "Notes are too long.", {
      [FIELD.notes]: "At most 3000 characters.",
    });
  const parsed = parseReviewConditions(input.conditions, now, deps.config.calendar.timezone);
  if (!parsed.ok) throw new GovernorError("validation", parsed.error, { [FIELD.conditions]: parsed.error });
  const withConditions = outcome === "continue_with_conditions";
  if (withConditions && !parsed.conditions.length) {
    const msg = "List at least one condition, one per line.";
    throw new GovernorError("validation", msg, { [FIELD.conditions]: msg });
  }
  if (!withConditions && parsed.conditions.length) {
    const msg = "Conditions apply only to “Continue with conditions”: clear them or change the outcome.";
    throw new GovernorError("validation", msg, { [FIELD.conditions]: msg });
  }

  return inTransaction(deps, async (tx, fx) => {
    const { review, agent } = await loadReviewFor(deps, tx, actor, input.reviewId, true);
    const done = await tx
      .update(agentReviews)
      .set({ status: "completed", outcome, notes, completedBy: actor.slackUser, completedAt: now })
      .where(and(eq(agentReviews.id, review.id), eq(agentReviews.status, "scheduled")))
      .returning({ id: agentReviews.id });
    if (!done.length) throw new GovernorError("conflict", "This review was recorded meanwhile.");
    await cancelReviewTimers(tx, fx, review.id);
    const reason = notes || `decided at the ${review.kind.replace("_", "-")} review`;
    const status = await applyOutcome(tx, fx, deps, actor, agent, outcome, reason);

    const conditionIds: number[] = [];
    for (const c of parsed.conditions) {
      const [item] = await tx
        .insert(remediationItems)
        .values({
          source: "review_condition",
          agentId: agent.id,
          description: c.text,
          owner: agent.technicalOwner,
          deadline: c.deadline,
        })
        .returning({ id: remediationItems.id });
      conditionIds.push(item!.id);
      await scheduleRemediationTimers(tx, fx, deps, {
        itemId: item!.id,
        owner: agent.technicalOwner,
        deadline: c.deadline,
      });
    }
    const tier = agentStateOf(agent).tier;
    const nextReviewDue =
      status === "decommissioned"
        ? null
        : await scheduleNextReview(tx, fx, deps, { agentId: agent.id, tier, kind: "periodic", from: now });
    await deps.audit.append(tx, {
      type: "review_completed",
      agentId: agent.id,
      actor,
      at: now,
      data: {
        reviewId: review.id,
        kind: review.kind,
        outcome,
        notes,
        conditions: parsed.conditions.map((c, i) => ({
          itemId: conditionIds[i],
          text: c.text,
          deadline: c.deadline.toISOString(),
        })),
        nextReviewDue: nextReviewDue?.toISOString() ?? null,
      },
    });
    const notice = reviewOutcomeNotice({
      agentName: agent.name,
      outcome,
      nextReviewDue,
      conditions: conditionIds.length,
      by: actor.slackUser,
      notes,
    });
    for (const user of new Set([agent.businessOwner, agent.technicalOwner])) {
      if (user !== actor.slackUser) await enqueueOutbox(tx, fx, { op: "dm", user, message: notice });
    }
    if (outcome === "suspend" || outcome === "decommission") {
      await enqueueOutbox(tx, fx, { op: "post", channel: deps.config.channels.committee, message: notice });
    }
    return { agentName: agent.name, outcome, nextReviewDue, conditionIds };
  });
}

/** Suspends or decommissions per the outcome; returns the agent's status after it. */
async function applyOutcome(
  tx: Tx,
  fx: Effects,
  deps: Deps,
  actor: SlackActor,
  agent: AgentRow,
  outcome: ReviewOutcome,
  reason: string,
): Promise<string> {
  if (outcome !== "suspend" && outcome !== "decommission") return agent.status;
  const now = deps.now();
  const event =
    outcome === "suspend"
      ? ({ type: "suspend", by: actor.slackUser, reason } as const)
      : ({ type: "decommission", by: actor.slackUser, reason } as const);
  const t = agentTransition(agentStateOf(agent), event, now);
  if (!t.ok) {
    if (t.code === "duplicate") return agent.status; // already so: the review just confirms it
    throw refusalError(t);
  }
  const moved = await tx
    .update(agents)
    .set({
      status: t.state.status,
      suspendedAt: t.state.suspendedAt,
      suspendedReason: t.state.suspendedReason,
      updatedAt: now,
    })
    .where(and(eq(agents.id, agent.id), eq(agents.status, agent.status)))
    .returning({ id: agents.id });
  if (!moved.length) throw new GovernorError("conflict", "The agent changed meanwhile; try again.");
  for (const effect of t.effects) {
    if (effect.type === "cancel_reviews") {
      const open = await tx
        .select({ id: agentReviews.id })
        .from(agentReviews)
        .where(and(eq(agentReviews.agentId, agent.id), eq(agentReviews.status, "scheduled")));
      await cancelReviews(
        tx,
        fx,
        open.map((r) => r.id),
      );
    } else if (effect.type === "revoke_runtime_token") {
      const revoked = await tx
        .update(agentTokens)
        .set({ revokedAt: now })
        .where(and(eq(agentTokens.agentId, agent.id), isNull(agentTokens.revokedAt)))
        .returning({ id: agentTokens.id });
      if (revoked.length) {
        await deps.audit.append(tx, {
          type: "token_revoked",
          agentId: agent.id,
          actor,
          at: now,
          data: { tokens: revoked.map((r) => r.id), reason: "agent decommissioned at review" },
        });
      }
    }
  }
  await deps.audit.append(tx, {
    type: outcome === "suspend" ? "agent_suspended" : "agent_decommissioned",
    agentId: agent.id,
    actor,
    at: now,
    data: { from: agent.status, reason, via: "review" },
  });
  return t.state.status;
}
