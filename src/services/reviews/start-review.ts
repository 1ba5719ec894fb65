import { eq } from "drizzle-orm";
import { type AgentReviewRow, type AgentRow, agentReviews, agents } from "../../db/schema/index.ts";
import { GovernorError } from "../../domain/errors.ts";
import { mayReviewAgent } from "../../domain/review-outcome.ts";
import type { DbOrTx } from "../../db/client.ts";
import type { Deps } from "../deps.ts";
import { inTransaction } from "../run.ts";

export type SlackActor = { slackUser: string };

/**
 * Loads a review for `actor` to record, refusing (with an access_denied
 * audit entry) anyone who is not an owner, the chair or the co-chair, and a
 * review that is no longer scheduled. Used to open the modal and again on
 * submission.
 */
export async function loadReviewFor(
  deps: Deps,
  db: DbOrTx,
  actor: SlackActor,
  reviewId: number,
  forUpdate = false,
): Promise<{ review: AgentReviewRow; agent: AgentRow }> {
  const query = db.select().from(agentReviews).where(eq(agentReviews.id, reviewId));
  const [review] = forUpdate ? await query.for("update") : await query;
  if (!review) throw new GovernorError("not_found", "That review does not exist.");
  const [agent] = await db.select().from(agents).where(eq(agents.id, review.agentId));
  if (!agent) throw new GovernorError("not_found", "That review's agent does not exist.");
  const allowed = mayReviewAgent(
    {
      businessOwner: agent.businessOwner,
      technicalOwner: agent.technicalOwner,
      chair: deps.config.committee.chair,
      coChair: deps.config.committee.co_chair,
    },
    actor.slackUser,
  );
  if (!allowed) {
    // Its own transaction: the caller's is about to roll back with the refusal.
    await inTransaction(deps, (tx) =>
      deps.audit.append(tx, {
        type: "access_denied",
        agentId: agent.id,
        actor,
        at: deps.now(),
        data: { action: "agent_review", reviewId },
      }),
    );
    throw new GovernorError(
      "forbidden",
      "Only the agent's business owner, technical owner, the committee chair or co-chair can record its review.",
    );
  }
  if (review.status !== "scheduled") {
    throw new GovernorError("conflict", `This review is already ${review.status}.`);
  }
  return { review, agent };
}

/** "Start review": what the modal shows, after the permission check. */
export async function startReview(deps: Deps, actor: SlackActor, reviewId: number) {
  const { review, agent } = await loadReviewFor(deps, deps.db, actor, reviewId);
  return {
    reviewId: review.id,
    agentName: agent.name,
    kind: review.kind as "post_deployment" | "periodic",
    dueAt: review.dueAt,
    tier: agent.riskTier ?? 0,
  };
}
