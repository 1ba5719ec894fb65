import { signOffRequestDm } from "../../../blocks/approval/dms.ts";
import { type RequestView, requestMessage, requestText } from "../../../blocks/approval/request-message.ts";
import { conditionsOf } from "../../db/queries/approval.ts";
import type { DbOrTx } from "../../db/client.ts";
import { readAdrSummary, readTierReasons } from "../../domain/approval-request.ts";
import { quorumProgress } from "../../domain/quorum.ts";
import { requestControls, voteControls } from "../../slack/ids/approval.ts";
import type { SlackMessage } from "../effects.ts";
import type { Review } from "./review-state.ts";

/** The request as the committee sees it now (state read in the caller's transaction). */
export function requestView(r: Review, closingNote?: string): RequestView {
  const { adr, agent } = r;
  const summary = readAdrSummary(adr.content);
  const open = adr.status === "in_review";
  const quorum = r.required.rule === "committee" ? quorumProgress(r.committee, []) : null;
  const closingWhy = [adr.decisionWhy, closingNote].filter(Boolean).join(" ");
  return {
    adrId: adr.id,
    agentName: agent.name,
    version: summary.version,
    requester: adr.requester,
    businessOwner: agent.businessOwner,
    technicalOwner: agent.technicalOwner,
    dataSteward: agent.dataSteward ?? summary.dataSteward,
    tier: adr.tier,
    computedTier: adr.computedTier,
    score: adr.score,
    tierReasons: readTierReasons(adr.tierReasons),
    tierRaised: adr.tierRaisedReason ? { by: adr.tierRaisedBy, reason: adr.tierRaisedReason } : null,
    tools: summary.tools,
    data: summary.data,
    regulatedData: summary.regulatedData,
    externalApiCalls: summary.externalApiCalls,
    signOff: {
      rule: r.required.rule,
      approvers: r.required.approvers,
      quorum: quorum ? { needed: quorum.needed, members: quorum.members } : null,
      blockers: r.required.blockers,
    },
    slaDueAt: adr.slaDueAt,
    tally: r.decision.tally,
    awaiting: r.decision.decided ? [] : r.decision.awaiting,
    voted: r.decision.counted.map((v) => ({ voter: v.voter, choice: v.choice })),
    status: adr.status,
    closing:
      open || adr.status === "awaiting_security_assessment" ? null : { why: closingWhy, at: adr.decidedAt },
    controls: open ? requestControls(adr.id) : null,
  };
}

export async function renderRequest(db: DbOrTx, r: Review): Promise<SlackMessage> {
  let note: string | undefined;
  if (r.adr.status === "approved" && r.adr.outcome === "conditional") {
    const items = await conditionsOf(db, r.adr.id);
    if (items.length && items.every((i) => i.status === "done")) note = "Every condition is now done.";
  }
  return requestMessage(requestView(r, note));
}

export function renderSignOffDm(r: Review, role: string): SlackMessage {
  return signOffRequestDm(requestView(r), role, voteControls(r.adr.id));
}

export const subjectOf = (r: Review): string => requestText({ adrId: r.adr.id, agentName: r.agent.name });
