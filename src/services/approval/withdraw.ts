import { withdrawnReply } from "../../../blocks/approval/thread.ts";
import { moveAdr, votesOf } from "../../db/queries/approval.ts";
import { type AdrStatus, adrTransition } from "../../domain/approval.ts";
import { GovernorError } from "../../domain/errors.ts";
import type { Deps } from "../deps.ts";
import { enqueueOutbox } from "../effects.ts";
import { inTransaction } from "../run.ts";
import { cancelSlaTimers } from "../timers/sla.ts";
import { denyAccess, type Refusal, unwrap } from "./deny.ts";
import { renderRequest } from "./render.ts";
import { assessReview, lockReview, requestRef } from "./review-state.ts";

export type WithdrawResult = { kind: "withdrawn" } | { kind: "unchanged" };

/** The requester withdraws a request before its decision; voting closes and the timers stop. */
export async function withdrawRequest(
  deps: Deps,
  actor: { slackUser: string },
  input: { adrId: number },
): Promise<WithdrawResult> {
  const result = await inTransaction(deps, async (tx, fx): Promise<WithdrawResult | Refusal> => {
    const r = await lockReview(tx, deps.config, input.adrId);
    const now = deps.now();
    const state = {
      status: r.adr.status as AdrStatus,
      tier: r.tier,
      requester: r.adr.requester,
      technicalOwner: r.agent.technicalOwner,
      conditions: [],
      reviewStartedAt: r.adr.reviewStartedAt,
      decidedAt: r.adr.decidedAt,
      decisionWhy: r.adr.decisionWhy,
      closedAt: r.adr.decidedAt,
    };
    const t = adrTransition(state, { type: "withdraw", by: actor.slackUser }, now);
    if (!t.ok && t.code === "duplicate" && actor.slackUser === r.adr.requester) return { kind: "unchanged" };
    if (!t.ok && t.code === "forbidden") {
      return denyAccess(tx, deps, actor, {
        agentId: r.agent.id,
        action: "withdraw",
        adrId: r.adr.id,
        reason: `Only the requester <@${r.adr.requester}> may withdraw ADR-${r.adr.id}.`,
      });
    }
    if (!t.ok) return { refused: new GovernorError("conflict", `ADR-${r.adr.id}: ${t.reason}.`) };
    const withdrawn = await moveAdr(tx, r.adr.id, ["awaiting_security_assessment", "in_review"], {
      status: "withdrawn",
      decidedAt: now,
      decisionWhy: "Withdrawn by the requester.",
      updatedAt: now,
    });
    if (!withdrawn)
      return { refused: new GovernorError("conflict", `ADR-${r.adr.id} was decided meanwhile.`) };
    if (t.effects.some((e) => e.type === "stop_sla_clock")) await cancelSlaTimers(tx, fx, r.adr.id);
    await deps.audit.append(tx, {
      type: "adr_withdrawn",
      agentId: r.agent.id,
      actor,
      at: now,
      data: { adrId: r.adr.id, from: r.adr.status },
    });
    if (r.adr.reviewStartedAt) {
      const ref = requestRef(r.adr.id);
      const after = assessReview(deps.config, withdrawn, r.agent, await votesOf(tx, r.adr.id));
      await enqueueOutbox(tx, fx, { op: "update", ref, message: await renderRequest(tx, after) });
      await enqueueOutbox(tx, fx, { op: "reply", ref, message: withdrawnReply({ by: actor.slackUser }) });
    }
    return { kind: "withdrawn" };
  });
  return unwrap(result);
}
