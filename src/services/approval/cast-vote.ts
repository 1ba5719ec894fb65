import { voteReply } from "../../../blocks/approval/thread.ts";
import { upsertVote } from "../../db/queries/approval.ts";
import type { AdrRow } from "../../db/schema/index.ts";
import { type DecisionOutcome, eligibility } from "../../domain/approval.ts";
import { GovernorError } from "../../domain/errors.ts";
import {
  type ConditionRow,
  checkVote,
  sameVote,
  type VoteChoiceInput,
  type VoteCondition,
} from "../../domain/vote-input.ts";
import type { Deps } from "../deps.ts";
import { enqueueOutbox } from "../effects.ts";
import { inTransaction } from "../run.ts";
import { applyDecision } from "./decide.ts";
import { denyAccess, type Refusal, unwrap } from "./deny.ts";
import { renderRequest } from "./render.ts";
import { assessReview, lockReview, requestRef } from "./review-state.ts";

export type CastVoteInput = {
  adrId: number;
  choice: VoteChoiceInput;
  reason?: string | null;
  conditions?: ConditionRow[];
};

export type CastVoteResult =
  | { kind: "recorded"; changedFrom: string | null; decided: DecisionOutcome | null }
  /** The same vote again (a double click, a Slack retry): nothing happened. */
  | { kind: "unchanged" };

/**
 * Records a sign-off. Concurrent votes on one request serialise on its row
 * lock, so each sees every earlier vote and exactly one of them can find the
 * rule satisfied and decide. A person's latest vote counts; votes close at
 * the decision.
 */
export async function castVote(
  deps: Deps,
  actor: { slackUser: string },
  input: CastVoteInput,
): Promise<CastVoteResult> {
  const checked = checkVote(input, deps.now(), deps.config.calendar.timezone);
  if (!checked.ok) throw new GovernorError("validation", "Some fields need attention.", checked.fields);
  const vote = checked.vote;
  const voter = actor.slackUser;
  const result = await inTransaction(deps, async (tx, fx): Promise<CastVoteResult | Refusal> => {
    const r = await lockReview(tx, deps.config, input.adrId);
    const mine = r.votes.find((v) => v.voter === voter);
    if (mine && mine.contentHash === r.adr.contentHash && sameVote(mine, vote)) return { kind: "unchanged" };
    if (r.adr.status !== "in_review") return { refused: new GovernorError("conflict", closedText(r.adr)) };
    const may = eligibility({
      voter,
      submitter: r.adr.requester,
      businessOwner: r.agent.businessOwner,
      required: r.required,
    });
    if (!may.ok) {
      return denyAccess(tx, deps, actor, {
        agentId: r.agent.id,
        action: `vote_${vote.choice}`,
        adrId: r.adr.id,
        reason: refusalText(may.reason, r.adr.id),
      });
    }
    const now = deps.now();
    const role = may.roles.join("+");
    const changedFrom = mine && mine.choice !== vote.choice ? mine.choice : null;
    const stored = await upsertVote(tx, {
      adrId: r.adr.id,
      voter,
      role,
      choice: vote.choice,
      reason: vote.reason,
      conditions: vote.conditions,
      contentHash: r.adr.contentHash,
      at: now,
    });
    await deps.audit.append(tx, {
      type: "vote_cast",
      agentId: r.agent.id,
      actor,
      at: now,
      data: {
        adrId: r.adr.id,
        choice: vote.choice,
        role,
        changedFrom: mine ? mine.choice : null,
        reason: vote.reason,
        conditions: vote.conditions.map((c) => ({
          text: c.text,
          owner: deps.audit.actorId({ slackUser: c.owner }),
          deadline: c.deadline,
        })),
        contentHash: r.adr.contentHash,
      },
    });
    const ref = requestRef(r.adr.id);
    await enqueueOutbox(tx, fx, {
      op: "reply",
      ref,
      message: voteReply({
        voter,
        role,
        choice: vote.choice,
        previousChoice: mine ? mine.choice : null,
        reason: vote.reason,
        conditions: vote.conditions.map(conditionView),
      }),
    });
    const votes = [...r.votes.filter((v) => v.voter !== voter), stored];
    const after = assessReview(deps.config, r.adr, r.agent, votes);
    if (after.decision.decided && (await applyDecision(tx, fx, deps, after, actor))) {
      return { kind: "recorded", changedFrom, decided: after.decision.outcome };
    }
    await enqueueOutbox(tx, fx, { op: "update", ref, message: await renderRequest(tx, after) });
    return { kind: "recorded", changedFrom, decided: null };
  });
  return unwrap(result);
}

const conditionView = (c: VoteCondition) => ({
  text: c.text,
  owner: c.owner,
  deadline: new Date(c.deadline),
});

function closedText(adr: AdrRow): string {
  const what = adr.status === "withdrawn" ? "was withdrawn" : `is ${adr.status.replace(/_/g, " ")}`;
  return `Voting on ADR-${adr.id} is closed: the request ${what}.`;
}

function refusalText(reason: string, adrId: number): string {
  return `You cannot vote on ADR-${adrId}: ${reason.replace(/\b([UW][A-Z0-9]{6,})\b/g, "<@$1>")}.`;
}
