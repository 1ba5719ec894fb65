import { eligibility } from "../../domain/approval.ts";
import { GovernorError } from "../../domain/errors.ts";
import type { Deps } from "../deps.ts";
import { inTransaction } from "../run.ts";
import { denyAccess, type Refusal, unwrap } from "./deny.ts";
import { subjectOf } from "./render.ts";
import { lockReview } from "./review-state.ts";

/**
 * Before the Conditional or Reject form opens: may this person vote on this
 * request now? A refusal is audited (access_denied) and no form opens; the
 * vote itself is checked again when the form is submitted.
 */
export async function prepareVote(
  deps: Deps,
  actor: { slackUser: string },
  input: { adrId: number; choice: "conditional" | "reject" },
): Promise<{ adrId: number; subject: string }> {
  const result = await inTransaction(
    deps,
    async (tx): Promise<{ adrId: number; subject: string } | Refusal> => {
      const r = await lockReview(tx, deps.config, input.adrId);
      if (r.adr.status !== "in_review") {
        return { refused: new GovernorError("conflict", `Voting on ADR-${r.adr.id} is closed.`) };
      }
      const may = eligibility({
        voter: actor.slackUser,
        submitter: r.adr.requester,
        businessOwner: r.agent.businessOwner,
        required: r.required,
      });
      if (!may.ok) {
        const reason = may.reason.replace(/\b([UW][A-Z0-9]{6,})\b/g, "<@$1>");
        return denyAccess(tx, deps, actor, {
          agentId: r.agent.id,
          action: `vote_${input.choice}`,
          adrId: r.adr.id,
          reason: `You cannot vote on ADR-${r.adr.id}: ${reason}.`,
        });
      }
      return { adrId: r.adr.id, subject: subjectOf(r) };
    },
  );
  return unwrap(result);
}
