import { and, eq } from "drizzle-orm";
import { deployedNotice } from "../../../blocks/timers/reviews.ts";
import { agentReviews, agents } from "../../db/schema/index.ts";
import { agentTransition } from "../../domain/approval.ts";
import { GovernorError } from "../../domain/errors.ts";
import type { Deps } from "../deps.ts";
import { enqueueOutbox } from "../effects.ts";
import { agentStateOf, refusalError } from "../reviews/agent-state.ts";
import { inTransaction } from "../run.ts";
import { scheduleNextReview } from "../timers/reviews.ts";

export type SlackActor = { slackUser: string };

/**
 * The technical owner marks an approved agent deployed. The post-deployment
 * review then counts from now: a scheduled one (counted from approval) is
 * moved; none is added if it was already done. A double click is a conflict.
 */
export async function markDeployed(
  deps: Deps,
  actor: SlackActor,
  agentId: number,
): Promise<{ agentId: number; deployedAt: Date; reviewDueAt: Date | null }> {
  const [found] = await deps.db.select().from(agents).where(eq(agents.id, agentId));
  if (!found) throw new GovernorError("not_found", `there is no agent ${agentId}`);
  if (found.technicalOwner !== actor.slackUser) {
    await inTransaction(deps, (tx) =>
      deps.audit.append(tx, {
        type: "access_denied",
        agentId,
        actor,
        at: deps.now(),
        data: { action: "mark_deployed", reason: "not the technical owner" },
      }),
    );
    throw new GovernorError("forbidden", "Only the agent's technical owner can mark it deployed.");
  }
  return inTransaction(deps, async (tx, fx) => {
    const now = deps.now();
    const [agent] = await tx.select().from(agents).where(eq(agents.id, agentId)).for("update");
    if (!agent) throw new GovernorError("not_found", `there is no agent ${agentId}`);
    const state = agentStateOf(agent);
    const t = agentTransition(state, { type: "deploy", by: actor.slackUser }, now);
    if (!t.ok) throw refusalError(t);
    const moved = await tx
      .update(agents)
      .set({ status: "deployed", deployedAt: now, updatedAt: now })
      .where(and(eq(agents.id, agentId), eq(agents.status, agent.status)))
      .returning({ id: agents.id });
    if (!moved.length) throw new GovernorError("conflict", "the agent changed meanwhile; try again");
    const done = await tx
      .select({ id: agentReviews.id })
      .from(agentReviews)
      .where(
        and(
          eq(agentReviews.agentId, agentId),
          eq(agentReviews.kind, "post_deployment"),
          eq(agentReviews.status, "completed"),
        ),
      )
      .limit(1);
    const reviewDueAt = done.length
      ? null
      : await scheduleNextReview(tx, fx, deps, {
          agentId,
          tier: state.tier,
          kind: "post_deployment",
          from: now,
        });
    await deps.audit.append(tx, {
      type: "agent_deployed",
      agentId,
      actor,
      at: now,
      data: { from: agent.status, reviewDueAt: reviewDueAt?.toISOString() ?? null },
    });
    if (agent.businessOwner !== actor.slackUser) {
      await enqueueOutbox(tx, fx, {
        op: "dm",
        user: agent.businessOwner,
        message: deployedNotice({ agentName: agent.name, by: actor.slackUser, reviewDueAt }),
      });
    }
    return { agentId, deployedAt: now, reviewDueAt };
  });
}
