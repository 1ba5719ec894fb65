import type { Tx } from "../../db/client.ts";
import { findAgent, lockAdr, moveAdr, votesOf } from "../../db/queries/approval.ts";
import { eligibility } from "../../domain/approval.ts";
import { GovernorError } from "../../domain/errors.ts";
import type { Deps } from "../deps.ts";
import { type Effects, enqueueOutbox } from "../effects.ts";
import { scheduleSlaTimers } from "../timers/sla.ts";
import { pseudonymiseIds } from "./deny.ts";
import { renderRequest, renderSignOffDm } from "./render.ts";
import { assessReview, requestRef, tierOf } from "./review-state.ts";

/**
 * Starts the sign-off of an ADR whose security assessment is complete
 * (called inside the intake's transaction): SLA clock, the request message
 * in the committee channel, the personal asks for tier 1–2, the audit entry.
 * A second call for the same ADR is a no-op, so a retried assessment never
 * posts twice. A new version of an ADR is a new row, reviewed afresh here.
 */
export async function openReview(tx: Tx, fx: Effects, deps: Deps, adrId: number): Promise<void> {
  const adr = await lockAdr(tx, adrId);
  if (!adr) throw new GovernorError("not_found", `There is no request ADR-${adrId}.`);
  if (adr.reviewStartedAt) return;
  if (adr.status !== "awaiting_security_assessment" && adr.status !== "in_review") {
    throw new GovernorError("conflict", `ADR-${adrId} is ${adr.status}; its review cannot start.`);
  }
  const agent = await findAgent(tx, adr.agentId);
  if (!agent) throw new GovernorError("not_found", `The agent of ADR-${adrId} no longer exists.`);
  const tier = tierOf(adr.tier);
  const startedAt = deps.now();
  const slaDueAt = await scheduleSlaTimers(tx, fx, deps, { adrId, tier, startedAt });
  const started = await moveAdr(tx, adrId, ["awaiting_security_assessment", "in_review"], {
    status: "in_review",
    reviewStartedAt: startedAt,
    slaDueAt,
    updatedAt: startedAt,
  });
  if (!started) throw new GovernorError("conflict", `ADR-${adrId} moved on; its review cannot start.`);
  const review = assessReview(deps.config, started, agent, await votesOf(tx, adrId));

  await enqueueOutbox(tx, fx, {
    op: "post",
    channel: deps.config.channels.committee,
    ref: requestRef(adrId),
    message: await renderRequest(tx, review),
  });
  const signers: string[] = [];
  if (review.required.rule !== "committee") {
    for (const user of new Set(review.required.approvers.map((a) => a.user))) {
      const may = eligibility({
        voter: user,
        submitter: started.requester,
        businessOwner: agent.businessOwner,
        required: review.required,
      });
      if (!may.ok) continue;
      signers.push(user);
      await enqueueOutbox(tx, fx, { op: "dm", user, message: renderSignOffDm(review, may.roles.join("+")) });
    }
  }
  await deps.audit.append(tx, {
    type: "review_started",
    agentId: agent.id,
    actor: started.assessedBy ? { slackUser: started.assessedBy } : { system: "approval" },
    at: startedAt,
    data: {
      adrId,
      tier,
      rule: review.required.rule,
      slaDueAt: slaDueAt.toISOString(),
      contentHash: started.contentHash,
      approvers: review.required.approvers.map((a) => ({
        role: a.role,
        user: deps.audit.actorId({ slackUser: a.user }),
      })),
      personallyAsked: signers.length,
      blockers: review.required.blockers.map((b) => pseudonymiseIds(deps, b)),
    },
  });
}
