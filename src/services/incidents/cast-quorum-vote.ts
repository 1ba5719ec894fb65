import { slackDate } from "../../../blocks/incident/format.ts";
import { CHOICE_LABEL } from "../../../blocks/incident/quorum-poll.ts";
import { findQuorum } from "../../db/queries/incidents.ts";
import { quorumVotes } from "../../db/schema/index.ts";
import { GovernorError } from "../../domain/errors.ts";
import type { QuorumChoice } from "../../domain/incident.ts";
import { votingMembers } from "../../domain/quorum.ts";
import type { Deps } from "../deps.ts";
import { inTransaction } from "../run.ts";
import { recordAccessDenied } from "./access.ts";
import { committeeOf } from "./context.ts";
import { refreshPoll } from "./page.ts";
import { closeEmergencyQuorum, evaluateQuorum } from "./quorum-close.ts";

export type VoteResult = { closed: false } | { closed: true; outcome: QuorumChoice };

/**
 * A committee member's vote in the emergency quorum. One row per member
 * (unique index): voting again replaces the choice until the poll closes.
 * The quorum row is locked for the whole vote, so concurrent votes are
 * evaluated one after the other and the one that reaches quorum closes it,
 * exactly once. Non-members are refused and the attempt audited.
 */
export async function castQuorumVote(
  deps: Deps,
  actor: { slackUser: string },
  input: { quorumId: number; choice: QuorumChoice },
): Promise<VoteResult> {
  if (!votingMembers(committeeOf(deps.config)).includes(actor.slackUser)) {
    const quorum = await findQuorum(deps.db, input.quorumId);
    await recordAccessDenied(deps, actor, {
      agentId: quorum?.agentId ?? null,
      action: "quorum_vote",
      subject: { quorumId: input.quorumId, incidentId: quorum?.incidentId ?? null },
    });
    throw new GovernorError(
      "forbidden",
      "Only members of the governance committee vote in the emergency quorum.",
    );
  }
  return inTransaction(deps, async (tx, fx) => {
    const quorum = await findQuorum(tx, input.quorumId, true);
    if (!quorum) throw new GovernorError("not_found", `There is no emergency quorum #${input.quorumId}.`);
    if (quorum.status !== "open") {
      const outcome = quorum.outcome ? CHOICE_LABEL[quorum.outcome as QuorumChoice] : "no outcome";
      throw new GovernorError(
        "conflict",
        `This emergency quorum is closed (${outcome}); your vote was not recorded.`,
      );
    }
    const now = deps.now();
    if (now.getTime() >= quorum.deadlineAt.getTime()) {
      throw new GovernorError(
        "conflict",
        `Voting closed at ${slackDate(quorum.deadlineAt)}; your vote was not recorded.`,
      );
    }
    await tx
      .insert(quorumVotes)
      .values({ quorumId: quorum.id, voter: actor.slackUser, choice: input.choice, castAt: now })
      .onConflictDoUpdate({
        target: [quorumVotes.quorumId, quorumVotes.voter],
        set: { choice: input.choice, castAt: now },
      });
    await deps.audit.append(tx, {
      type: "quorum_vote_cast",
      agentId: quorum.agentId,
      actor,
      data: { quorumId: quorum.id, incidentId: quorum.incidentId, choice: input.choice },
      at: now,
    });
    const result = await evaluateQuorum(tx, deps, quorum, now);
    if (result.closed) {
      await closeEmergencyQuorum(tx, fx, deps, { quorum, result, actor, now });
      return { closed: true, outcome: result.outcome };
    }
    await refreshPoll(tx, fx, deps, quorum);
    return { closed: false };
  });
}
