import { boardNotice, conditionOwnerDm, decisionDm } from "../../../blocks/approval/dms.ts";
import { markDeployedControl } from "../../slack/ids/reviews.ts";
import { outcomeReply } from "../../../blocks/approval/thread.ts";
import type { Tx } from "../../db/client.ts";
import { insertConditionItems, moveAdr, updateAgent } from "../../db/queries/approval.ts";
import type { AgentRow } from "../../db/schema/index.ts";
import {
  type AdrState,
  type AgentStatus,
  adrTransition,
  agentTransition,
  eligibility,
  type NewCondition,
} from "../../domain/approval.ts";
import { reviewersFromSignOffs } from "../../domain/approval-request.ts";
import type { VoteCondition } from "../../domain/vote-input.ts";
import { GovernorError } from "../../domain/errors.ts";
import { markDoneControl } from "../../slack/ids/approval.ts";
import type { Actor } from "../audit/append.ts";
import type { Deps } from "../deps.ts";
import { type Effects, enqueueOutbox } from "../effects.ts";
import { scheduleRemediationTimers } from "../timers/remediation.ts";
import { scheduleNextReview } from "../timers/reviews.ts";
import { cancelSlaTimers } from "../timers/sla.ts";
import { pseudonymiseIds } from "./deny.ts";
import { renderRequest } from "./render.ts";
import { assessReview, type CountedVote, type Review, requestRef } from "./review-state.ts";

/**
 * Applies a decision the votes have reached. Called with the ADR row locked;
 * the conditional move out of in_review is what makes the decision happen
 * exactly once: a second caller (a concurrent vote that also saw the rule
 * satisfied, a retry) gets zero rows and carries out no effect.
 * Returns false when there was nothing to decide or someone decided first.
 */
export async function applyDecision(
  tx: Tx,
  fx: Effects,
  deps: Deps,
  r: Review,
  actor: Actor,
): Promise<boolean> {
  const d = r.decision;
  if (!d.decided) return false;
  const now = deps.now();
  const conditions = d.outcome === "conditional" ? conditionsOf(d.counted) : [];
  const transition = adrTransition(adrState(r), decideEvent(d.outcome, d.why, conditions, now), now);
  if (!transition.ok) throw new GovernorError("conflict", transition.reason);
  const moved = await moveAdr(tx, r.adr.id, ["in_review"], {
    status: d.outcome,
    outcome: d.outcome,
    decisionWhy: d.why,
    decidedAt: now,
    updatedAt: now,
  });
  if (!moved) return false;
  const effects = new Set(transition.effects.map((e) => e.type));
  if (effects.has("stop_sla_clock")) await cancelSlaTimers(tx, fx, r.adr.id);

  const items = await insertConditionItems(
    tx,
    conditions.map((c) => ({
      adrId: r.adr.id,
      agentId: r.agent.id,
      description: c.text,
      owner: c.owner,
      deadline: new Date(c.deadline),
    })),
  );
  for (const item of items) {
    await scheduleRemediationTimers(tx, fx, deps, {
      itemId: item.id,
      owner: item.owner,
      deadline: item.deadline,
    });
    const dm = conditionOwnerDm({
      adrId: r.adr.id,
      agentName: r.agent.name,
      text: item.description,
      deadline: item.deadline,
      control: markDoneControl(item.id),
    });
    await enqueueOutbox(tx, fx, { op: "dm", user: item.owner, message: dm });
  }

  const nextReviewDate = effects.has("authorise_agent")
    ? await scheduleNextReview(tx, fx, deps, {
        agentId: r.agent.id,
        tier: r.tier,
        kind: "post_deployment",
        from: now,
      })
    : null;
  await updateAgent(tx, r.agent.id, agentChanges(deps, r, d.outcome, now, nextReviewDate));

  const decided = assessReview(deps.config, moved, r.agent, r.votes);
  const ref = requestRef(r.adr.id);
  const conditionViews = items.map((i) => ({ text: i.description, owner: i.owner, deadline: i.deadline }));
  await enqueueOutbox(tx, fx, { op: "update", ref, message: await renderRequest(tx, decided) });
  await enqueueOutbox(tx, fx, {
    op: "reply",
    ref,
    message: outcomeReply({
      outcome: d.outcome,
      why: d.why,
      tally: d.tally,
      conditions: conditionViews,
      nextReviewDate,
    }),
  });
  const dm = decisionDm({
    adrId: r.adr.id,
    agentName: r.agent.name,
    outcome: d.outcome,
    why: d.why,
    conditions: conditionViews,
    nextReviewDate,
  });
  const authorised = d.outcome === "approved" || d.outcome === "conditional";
  for (const user of new Set([r.adr.requester, r.agent.businessOwner, r.agent.technicalOwner])) {
    const message =
      authorised && user === r.agent.technicalOwner
        ? decisionDm({
            adrId: r.adr.id,
            agentName: r.agent.name,
            outcome: d.outcome,
            why: d.why,
            conditions: conditionViews,
            nextReviewDate,
            markDeployed: markDeployedControl(r.agent.id),
          })
        : dm;
    await enqueueOutbox(tx, fx, { op: "dm", user, message });
  }
  if (effects.has("notify_board")) {
    const notice = boardNotice({
      adrId: r.adr.id,
      agentName: r.agent.name,
      headline: `decision: ${d.outcome}`,
      why: d.why,
    });
    await enqueueOutbox(tx, fx, { op: "post", channel: deps.config.channels.board, message: notice });
  }
  await deps.audit.append(tx, {
    type: "decision_made",
    agentId: r.agent.id,
    actor,
    at: now,
    data: {
      adrId: r.adr.id,
      outcome: d.outcome,
      why: pseudonymiseIds(deps, d.why),
      tier: r.tier,
      rule: r.required.rule,
      tally: d.tally,
      contentHash: r.adr.contentHash,
      conditionItems: items.map((i) => i.id),
      nextReviewDate: nextReviewDate?.toISOString() ?? null,
    },
  });
  return true;
}

/** The conditions of every counted Conditional vote, each once. */
function conditionsOf(counted: readonly CountedVote[]): VoteCondition[] {
  const seen = new Set<string>();
  const out: VoteCondition[] = [];
  for (const v of counted) {
    if (v.choice !== "conditional" || !Array.isArray(v.row.conditions)) continue;
    for (const c of v.row.conditions as VoteCondition[]) {
      const key = `${c.text}\u0000${c.owner}\u0000${c.deadline}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(c);
    }
  }
  return out;
}

function adrState(r: Review): AdrState {
  return {
    status: "in_review",
    tier: r.tier,
    requester: r.adr.requester,
    technicalOwner: r.agent.technicalOwner,
    conditions: [],
    reviewStartedAt: r.adr.reviewStartedAt,
    decidedAt: null,
    decisionWhy: null,
    closedAt: null,
  };
}

function decideEvent(
  outcome: "approved" | "conditional" | "rejected",
  why: string,
  conditions: VoteCondition[],
  now: Date,
) {
  // A deadline that passed while votes were still open is stored as given (it
  // is overdue at once); the machine's future-deadline check is for new input.
  const checked: NewCondition[] = conditions.map((c, i) => ({
    id: String(i + 1),
    text: c.text,
    owner: c.owner,
    deadline: new Date(Math.max(new Date(c.deadline).getTime(), now.getTime() + 1)),
  }));
  return { type: "decide" as const, outcome, why, ...(checked.length ? { conditions: checked } : {}) };
}

function agentChanges(
  deps: Deps,
  r: Review,
  outcome: "approved" | "conditional" | "rejected",
  now: Date,
  nextReviewDate: Date | null,
): Partial<AgentRow> {
  if (!r.decision.decided) return {};
  const signers = r.decision.counted.map((v) => {
    const e = eligibility({
      voter: v.voter,
      submitter: r.adr.requester,
      businessOwner: r.agent.businessOwner,
      required: r.required,
    });
    return { voter: v.voter, roles: e.ok ? e.roles : [] };
  });
  const reviewers = reviewersFromSignOffs({
    tier: r.tier,
    signers,
    committee: r.committee,
    ciso: deps.config.ciso,
  });
  const changes: Partial<AgentRow> = {
    approvalStatus: outcome,
    riskTier: r.tier,
    currentAdrId: r.adr.id,
    securityReviewer: reviewers.securityReviewer ?? r.agent.securityReviewer,
    complianceReviewer: reviewers.complianceReviewer ?? r.agent.complianceReviewer,
    updatedAt: now,
  };
  if (outcome === "rejected") return changes;
  const state = {
    status: r.agent.status as AgentStatus,
    tier: r.tier,
    approvedAt: r.agent.approvalDate,
    deployedAt: r.agent.deployedAt,
    suspendedAt: r.agent.suspendedAt,
    suspendedReason: r.agent.suspendedReason,
    decommissionedAt: null,
  };
  // A new version of an agent already approved or deployed keeps its status.
  const moved = agentTransition(state, { type: "approve", by: "committee" }, now);
  return {
    ...changes,
    approvalDate: now,
    nextReviewDate: nextReviewDate ?? r.agent.nextReviewDate,
    ...(moved.ok ? { status: moved.state.status } : {}),
  };
}
