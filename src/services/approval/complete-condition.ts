import { requestUpdateDm } from "../../../blocks/approval/dms.ts";
import { conditionDoneReply } from "../../../blocks/approval/thread.ts";
import type { Tx } from "../../db/client.ts";
import {
  conditionsOf,
  findItem,
  markItemDone,
  moveAdr,
  updateAgent,
  votesOf,
} from "../../db/queries/approval.ts";
import type { RemediationItemRow } from "../../db/schema/index.ts";
import { type AdrStatus, adrTransition } from "../../domain/approval.ts";
import { GovernorError } from "../../domain/errors.ts";
import { VOTE_LIMITS } from "../../domain/vote-input.ts";
import type { Deps } from "../deps.ts";
import { type Effects, enqueueOutbox } from "../effects.ts";
import { inTransaction } from "../run.ts";
import { cancelRemediationTimers } from "../timers/remediation.ts";
import { denyAccess, type Refusal, unwrap } from "./deny.ts";
import { renderRequest } from "./render.ts";
import { assessReview, lockReview, requestRef, type Review } from "./review-state.ts";

export type CompleteConditionResult =
  | { kind: "done"; remaining: number; adrApproved: boolean }
  | { kind: "unchanged" };

/**
 * The owner of a tracked item (an ADR condition or a post-incident action)
 * marks it done with evidence. When the last condition of a conditional
 * approval is done the request becomes approved, once: the move out of
 * `conditional` is conditional on the state.
 */
export async function completeCondition(
  deps: Deps,
  actor: { slackUser: string },
  input: { itemId: number; evidence: string },
): Promise<CompleteConditionResult> {
  const fields = checkEvidence(input.evidence);
  if (fields) throw new GovernorError("validation", "Some fields need attention.", fields);
  const evidence = input.evidence.trim();
  const result = await inTransaction(deps, async (tx, fx): Promise<CompleteConditionResult | Refusal> => {
    const first = await findItem(tx, input.itemId);
    if (!first) throw new GovernorError("not_found", `There is no tracked item ${input.itemId}.`);
    // Lock the request before touching its items: decisions lock in the same order.
    const review = first.adrId ? await lockReview(tx, deps.config, first.adrId) : null;
    const item = (await findItem(tx, input.itemId)) ?? first;
    if (item.status === "done" && item.doneBy === actor.slackUser) return { kind: "unchanged" };
    if (item.status !== "open") {
      return { refused: new GovernorError("conflict", `That item is already ${item.status}.`) };
    }
    if (item.owner !== actor.slackUser) {
      return denyAccess(tx, deps, actor, {
        agentId: item.agentId,
        action: "complete_condition",
        itemId: item.id,
        reason: `Only its owner <@${item.owner}> may mark this item done.`,
      });
    }
    if (review && item.source === "adr_condition")
      return completeAdrCondition(tx, fx, deps, actor, review, item, evidence);
    const now = deps.now();
    if (!(await markItemDone(tx, item.id, actor.slackUser, evidence, now))) {
      return { refused: new GovernorError("conflict", "That item was completed meanwhile.") };
    }
    await cancelRemediationTimers(tx, fx, item.id);
    await deps.audit.append(tx, {
      type: "remediation_completed",
      agentId: item.agentId,
      actor,
      at: now,
      data: { itemId: item.id, source: item.source, incidentId: item.incidentId, evidence },
    });
    return { kind: "done", remaining: 0, adrApproved: false };
  });
  return unwrap(result);
}

/** Field errors of the Mark done form, or null when it is complete. */
export function checkEvidence(evidence: string): Record<string, string> | null {
  const text = evidence.trim();
  if (!text) return { evidence: "say what was done" };
  if (text.length > VOTE_LIMITS.reason) return { evidence: `keep it under ${VOTE_LIMITS.reason} characters` };
  return null;
}

async function completeAdrCondition(
  tx: Tx,
  fx: Effects,
  deps: Deps,
  actor: { slackUser: string },
  r: Review,
  item: RemediationItemRow,
  evidence: string,
): Promise<CompleteConditionResult | Refusal> {
  const now = deps.now();
  const items = await conditionsOf(tx, r.adr.id);
  const state = {
    status: r.adr.status as AdrStatus,
    tier: r.tier,
    requester: r.adr.requester,
    technicalOwner: r.agent.technicalOwner,
    conditions: items.map((i) => ({
      id: String(i.id),
      text: i.description,
      owner: i.owner,
      deadline: i.deadline,
      doneAt: i.status === "open" ? null : (i.doneAt ?? now),
      doneBy: i.doneBy,
    })),
    reviewStartedAt: r.adr.reviewStartedAt,
    decidedAt: r.adr.decidedAt,
    decisionWhy: r.adr.decisionWhy,
    closedAt: null,
  };
  const t = adrTransition(
    state,
    { type: "complete_condition", conditionId: String(item.id), by: actor.slackUser },
    now,
  );
  if (!t.ok) return { refused: new GovernorError("conflict", `${t.reason}.`) };
  if (!(await markItemDone(tx, item.id, actor.slackUser, evidence, now))) {
    return { refused: new GovernorError("conflict", "That condition was completed meanwhile.") };
  }
  await cancelRemediationTimers(tx, fx, item.id);
  const remaining = t.state.conditions.filter((c) => !c.doneAt).length;
  const approved =
    t.state.status === "approved"
      ? await moveAdr(tx, r.adr.id, ["conditional"], { status: "approved", updatedAt: now })
      : undefined;
  if (approved) await updateAgent(tx, r.agent.id, { approvalStatus: "approved", updatedAt: now });
  await deps.audit.append(tx, {
    type: "condition_completed",
    agentId: r.agent.id,
    actor,
    at: now,
    data: { adrId: r.adr.id, itemId: item.id, evidence, remaining, adrApproved: Boolean(approved) },
  });
  const ref = requestRef(r.adr.id);
  const reply = conditionDoneReply({
    owner: actor.slackUser,
    text: item.description,
    evidence,
    remaining,
    at: now,
  });
  await enqueueOutbox(tx, fx, { op: "reply", ref, message: reply });
  if (approved) {
    const after = assessReview(deps.config, approved, r.agent, await votesOf(tx, r.adr.id));
    await enqueueOutbox(tx, fx, { op: "update", ref, message: await renderRequest(tx, after) });
    const dm = requestUpdateDm({
      adrId: r.adr.id,
      agentName: r.agent.name,
      line: "every condition is done; the request is now *approved*.",
    });
    for (const user of new Set([r.adr.requester, r.agent.businessOwner, r.agent.technicalOwner])) {
      await enqueueOutbox(tx, fx, { op: "dm", user, message: dm });
    }
  }
  return { kind: "done", remaining, adrApproved: Boolean(approved) };
}
