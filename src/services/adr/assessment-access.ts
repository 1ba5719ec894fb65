import type { Tx } from "../../db/client.ts";
import type { AdrRow } from "../../db/schema/index.ts";
import { type AdrState, type AdrStatus, adrTransition } from "../../domain/adr-lifecycle.ts";
import { GovernorError } from "../../domain/errors.ts";
import { isTier } from "../../domain/tier-policy.ts";
import type { Deps } from "../deps.ts";
import { adrMessageModel } from "./status-message.ts";

const LIFECYCLE: ReadonlySet<string> = new Set<AdrStatus>([
  "awaiting_security_assessment",
  "in_review",
  "approved",
  "conditional",
  "rejected",
  "withdrawn",
]);

export type AssessorCheck = { ok: true; state: AdrState } | { ok: false; error: GovernorError };

/**
 * May `userId` complete the security assessment of this ADR now? Only its
 * technical owner, only while it awaits the assessment (the ADR lifecycle
 * decides). A refusal for the wrong person is `forbidden` (audited by the
 * caller); any other is a `conflict` saying where the request stands.
 */
export function checkAssessor(adr: AdrRow, userId: string, now: Date): AssessorCheck {
  const model = adrMessageModel(adr);
  if (adr.status === "superseded") {
    return {
      ok: false,
      error: new GovernorError(
        "conflict",
        "A newer version of this request replaced it; complete the assessment from that version's message.",
      ),
    };
  }
  if (!LIFECYCLE.has(adr.status) || !isTier(adr.tier)) {
    return { ok: false, error: new GovernorError("conflict", "This request cannot take an assessment now.") };
  }
  const state: AdrState = {
    status: adr.status as AdrStatus,
    tier: adr.tier,
    requester: adr.requester,
    technicalOwner: model.technicalOwner,
    conditions: [],
    reviewStartedAt: adr.reviewStartedAt,
    decidedAt: adr.decidedAt,
    decisionWhy: adr.decisionWhy,
    closedAt: null,
  };
  const t = adrTransition(state, { type: "complete_security_assessment", by: userId }, now);
  if (t.ok) return { ok: true, state };
  if (t.code === "forbidden") {
    return {
      ok: false,
      error: new GovernorError(
        "forbidden",
        `Only the technical owner of this request (<@${model.technicalOwner}>) can complete its security assessment.`,
      ),
    };
  }
  const done = adr.status === "in_review" ? " It is in review." : "";
  return { ok: false, error: new GovernorError("conflict", `${capitalise(t.reason)}.${done}`) };
}

/** The access_denied audit entry of a refused assessor; the caller's transaction must commit. */
export async function recordAssessorDenied(
  tx: Tx,
  deps: Deps,
  adr: AdrRow,
  userId: string,
  action: string,
): Promise<void> {
  await deps.audit.append(tx, {
    type: "access_denied",
    agentId: adr.agentId,
    actor: { slackUser: userId },
    at: deps.now(),
    data: { action, adr_id: adr.id, reason: "not the technical owner of the request" },
  });
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
