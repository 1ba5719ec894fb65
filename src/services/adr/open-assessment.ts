import { findAdr } from "../../db/queries/inventory.ts";
import { type FormValues, adrToFormValues } from "../../domain/adr-form.ts";
import { SECURITY_ASSESSMENT_FIELDS } from "../../domain/adr.ts";
import { GovernorError } from "../../domain/errors.ts";
import type { Deps } from "../deps.ts";
import { inTransaction } from "../run.ts";
import { checkAssessor, recordAssessorDenied } from "./assessment-access.ts";
import { adrMessageModel } from "./status-message.ts";

export interface AssessmentForm {
  adrId: number;
  agentName: string;
  version: number;
  /** Prefilled from the ADR's own security_assessment block, when its YAML had one. */
  values: FormValues;
}

/**
 * What the technical owner needs to open the assessment modal. Anyone else
 * is refused (audited as access_denied); a request that no longer awaits
 * the assessment is a conflict saying where it stands.
 */
export async function openSecurityAssessment(
  deps: Deps,
  actor: { userId: string },
  adrId: number,
): Promise<AssessmentForm> {
  const adr = await findAdr(deps.db, adrId);
  if (!adr) throw new GovernorError("not_found", "That request no longer exists.");
  const check = checkAssessor(adr, actor.userId, deps.now());
  if (!check.ok) {
    if (check.error.code === "forbidden") {
      await inTransaction(deps, (tx) =>
        recordAssessorDenied(tx, deps, adr, actor.userId, "open_security_assessment"),
      );
    }
    throw check.error;
  }
  const content = (adr.content ?? {}) as { security_assessment?: never };
  return {
    adrId: adr.id,
    agentName: adrMessageModel(adr).agentName,
    version: adr.version,
    values: adrToFormValues({ security_assessment: content.security_assessment }, SECURITY_ASSESSMENT_FIELDS),
  };
}
