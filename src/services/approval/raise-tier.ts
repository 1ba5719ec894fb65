import { boardNotice } from "../../../blocks/approval/dms.ts";
import { tierRaisedReply } from "../../../blocks/approval/thread.ts";
import type { Tx } from "../../db/client.ts";
import { moveAdr, updateAgent, votesOf } from "../../db/queries/approval.ts";
import { eligibility } from "../../domain/approval.ts";
import { GovernorError } from "../../domain/errors.ts";
import { isTier } from "../../domain/tier-policy.ts";
import { VOTE_LIMITS } from "../../domain/vote-input.ts";
import type { Deps } from "../deps.ts";
import { type Effects, enqueueOutbox } from "../effects.ts";
import { inTransaction } from "../run.ts";
import { cancelSlaTimers, scheduleSlaTimers } from "../timers/sla.ts";
import { applyDecision } from "./decide.ts";
import { denyAccess, type Refusal, unwrap } from "./deny.ts";
import { renderRequest, renderSignOffDm } from "./render.ts";
import { assessReview, lockReview, type Review, requestRef } from "./review-state.ts";

export type RaiseTierResult = { kind: "raised"; from: number; to: number } | { kind: "unchanged" };

/**
 * The chair raises the tier of a pending request (never lowers it) with a
 * reason: sign-offs are recomputed (votes stay stored; those of people who no
 * longer sign off stop counting), the SLA clock restarts for the new tier from
 * the original start, newly required tier-2 signers are asked personally, and
 * a raise to tier 4 tells the board.
 */
export async function raiseTier(
  deps: Deps,
  actor: { slackUser: string },
  input: { adrId: number; tier: number; reason: string },
): Promise<RaiseTierResult> {
  const fields = checkTierRaise(input);
  if (fields) throw new GovernorError("validation", "Some fields need attention.", fields);
  const reason = input.reason.trim();
  const to = input.tier;
  if (!isTier(to)) throw new GovernorError("validation", "choose a tier from 1 to 4");

  const result = await inTransaction(deps, async (tx, fx): Promise<RaiseTierResult | Refusal> => {
    const r = await lockReview(tx, deps.config, input.adrId);
    if (r.adr.tier === to && r.adr.tierRaisedBy === actor.slackUser && r.adr.tierRaisedReason === reason) {
      return { kind: "unchanged" };
    }
    const refusal = await refuseRaise(tx, deps, actor, r);
    if (refusal) return refusal;
    if (r.adr.status !== "in_review") {
      return { refused: new GovernorError("conflict", `ADR-${r.adr.id} is no longer in review.`) };
    }
    if (to <= r.adr.tier || to < r.adr.computedTier) {
      return {
        refused: new GovernorError("validation", `ADR-${r.adr.id} is already tier ${r.adr.tier}.`, {
          tier: `choose a tier above ${r.adr.tier}`,
        }),
      };
    }
    const now = deps.now();
    const from = r.adr.tier;
    await cancelSlaTimers(tx, fx, r.adr.id);
    const startedAt = r.adr.reviewStartedAt ?? now;
    const slaDueAt = await scheduleSlaTimers(tx, fx, deps, { adrId: r.adr.id, tier: to, startedAt });
    const raised = await moveAdr(tx, r.adr.id, ["in_review"], {
      tier: to,
      tierRaisedBy: actor.slackUser,
      tierRaisedReason: reason,
      slaDueAt,
      updatedAt: now,
    });
    if (!raised) return { refused: new GovernorError("conflict", `ADR-${r.adr.id} is no longer in review.`) };
    await updateAgent(tx, r.agent.id, { riskTier: to, updatedAt: now });
    await deps.audit.append(tx, {
      type: "tier_raised",
      agentId: r.agent.id,
      actor,
      at: now,
      data: {
        adrId: r.adr.id,
        from,
        to,
        computedTier: r.adr.computedTier,
        reason,
        slaDueAt: slaDueAt.toISOString(),
      },
    });
    const after = assessReview(deps.config, raised, r.agent, await votesOf(tx, r.adr.id));
    const ref = requestRef(r.adr.id);
    await enqueueOutbox(tx, fx, {
      op: "reply",
      ref,
      message: tierRaisedReply({ by: actor.slackUser, from, to, reason }),
    });
    await askNewSigners(tx, fx, r, after);
    if (to === 4) {
      const notice = boardNotice({
        adrId: r.adr.id,
        agentName: r.agent.name,
        headline: `raised to tier 4 by the chair`,
        why: reason,
        by: actor.slackUser,
      });
      await enqueueOutbox(tx, fx, { op: "post", channel: deps.config.channels.board, message: notice });
    }
    // Votes already cast may satisfy the new rule (e.g. committee members who voted before).
    if (!(after.decision.decided && (await applyDecision(tx, fx, deps, after, actor)))) {
      await enqueueOutbox(tx, fx, { op: "update", ref, message: await renderRequest(tx, after) });
    }
    return { kind: "raised", from, to };
  });
  return unwrap(result);
}

/** Field errors of the Raise tier form, or null when it is complete. */
export function checkTierRaise(input: { tier: number; reason: string }): Record<string, string> | null {
  const fields: Record<string, string> = {};
  const reason = input.reason.trim();
  if (!reason) fields.reason = "say why the tier must be higher";
  else if (reason.length > VOTE_LIMITS.reason)
    fields.reason = `keep it under ${VOTE_LIMITS.reason} characters`;
  if (!isTier(input.tier)) fields.tier = "choose a tier from 1 to 4";
  return Object.keys(fields).length ? fields : null;
}

/** Only the chair may raise a tier; anyone else is refused and audited. */
export async function refuseRaise(
  tx: Tx,
  deps: Deps,
  actor: { slackUser: string },
  r: Review,
): Promise<Refusal | null> {
  if (actor.slackUser === deps.config.committee.chair) return null;
  return denyAccess(tx, deps, actor, {
    agentId: r.agent.id,
    action: "raise_tier",
    adrId: r.adr.id,
    reason: `Only the committee chair <@${deps.config.committee.chair}> may raise the tier of ADR-${r.adr.id}.`,
  });
}

async function askNewSigners(tx: Tx, fx: Effects, before: Review, after: Review): Promise<void> {
  if (after.required.rule === "committee") return;
  const asked = new Set(before.required.approvers.map((a) => a.user));
  for (const user of new Set(after.required.approvers.map((a) => a.user))) {
    if (asked.has(user)) continue;
    const may = eligibility({
      voter: user,
      submitter: after.adr.requester,
      businessOwner: after.agent.businessOwner,
      required: after.required,
    });
    if (may.ok)
      await enqueueOutbox(tx, fx, { op: "dm", user, message: renderSignOffDm(after, may.roles.join("+")) });
  }
}
