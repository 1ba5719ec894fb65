import { GovernorError } from "../../domain/errors.ts";
import type { Deps } from "../deps.ts";
import { inTransaction } from "../run.ts";
import { type Refusal, unwrap } from "./deny.ts";
import { refuseRaise } from "./raise-tier.ts";
import { subjectOf } from "./render.ts";
import { lockReview } from "./review-state.ts";

export type RaiseTierForm = { adrId: number; subject: string; currentTier: number; computedTier: number };

/** Before the Raise tier form opens: only the chair, only while in review, only below tier 4. */
export async function prepareRaiseTier(
  deps: Deps,
  actor: { slackUser: string },
  input: { adrId: number },
): Promise<RaiseTierForm> {
  const result = await inTransaction(deps, async (tx): Promise<RaiseTierForm | Refusal> => {
    const r = await lockReview(tx, deps.config, input.adrId);
    const refusal = await refuseRaise(tx, deps, actor, r);
    if (refusal) return refusal;
    if (r.adr.status !== "in_review") {
      return { refused: new GovernorError("conflict", `ADR-${r.adr.id} is no longer in review.`) };
    }
    if (r.adr.tier >= 4) {
      return { refused: new GovernorError("conflict", `ADR-${r.adr.id} is already tier 4, the highest.`) };
    }
    return {
      adrId: r.adr.id,
      subject: subjectOf(r),
      currentTier: r.adr.tier,
      computedTier: r.adr.computedTier,
    };
  });
  return unwrap(result);
}
