import { and, eq } from "drizzle-orm";
import { adrs } from "../../db/schema/index.ts";
import type { SecurityAssessment } from "../../domain/adr.ts";
import { GovernorError } from "../../domain/errors.ts";
import { openReview } from "../approval/open-review.ts";
import type { Deps } from "../deps.ts";
import { enqueueOutbox } from "../effects.ts";
import { inTransaction } from "../run.ts";
import { checkAssessor, recordAssessorDenied } from "./assessment-access.ts";
import { statusUpdate } from "./status-message.ts";

export interface AssessedAdr {
  adrId: number;
  status: string;
}

/**
 * The technical owner's security self-assessment: stored on the ADR, which
 * moves awaiting_security_assessment → in_review (conditional on that
 * status, so a double submit is a conflict, not a second review), audited,
 * the requester's status message updated, and the approval workflow's
 * review opened in the same transaction. Anyone else is refused and the
 * attempt audited as access_denied.
 */
export async function completeSecurityAssessment(
  deps: Deps,
  actor: { userId: string },
  adrId: number,
  assessment: SecurityAssessment,
): Promise<AssessedAdr> {
  const outcome = await inTransaction(deps, async (tx, fx) => {
    const [adr] = await tx.select().from(adrs).where(eq(adrs.id, adrId)).for("update");
    if (!adr) throw new GovernorError("not_found", "That request no longer exists.");
    const check = checkAssessor(adr, actor.userId, deps.now());
    if (!check.ok) {
      if (check.error.code !== "forbidden") throw check.error;
      await recordAssessorDenied(tx, deps, adr, actor.userId, "complete_security_assessment");
      return { refused: check.error };
    }
    const now = deps.now();
    const [moved] = await tx
      .update(adrs)
      .set({
        status: "in_review",
        securityAssessment: assessment,
        assessedBy: actor.userId,
        assessedAt: now,
        updatedAt: now,
      })
      .where(and(eq(adrs.id, adrId), eq(adrs.status, "awaiting_security_assessment")))
      .returning();
    if (!moved) throw new GovernorError("conflict", "The security assessment is already complete.");
    await deps.audit.append(tx, {
      type: "security_assessment_completed",
      agentId: moved.agentId,
      actor: { slackUser: actor.userId },
      at: now,
      data: { adr_id: adrId, version: moved.version, assessment },
    });
    await enqueueOutbox(tx, fx, statusUpdate(moved));
    await openReview(tx, fx, deps, adrId);
    return { adrId, status: moved.status };
  });
  if ("refused" in outcome) throw outcome.refused;
  return outcome;
}
