import type { KnownBlock } from "@slack/types";
import { escapeMrkdwn, plainText, truncate } from "../../src/domain/slack-text.ts";
import { type AdrUiIds, button, day, mention, statusLabel, TIER_LABEL } from "./format.ts";

/** What people are told about one ADR: built from its row, shown in DMs and channel posts. */
export interface AdrMessageModel {
  adrId: number;
  agentName: string;
  /** The ADR's own version text (agent_metadata.version). */
  adrVersion: string;
  /** The inventory's version number of this request for the agent (1, 2, …). */
  version: number;
  status: string;
  tier: number;
  score: number;
  reasons: string[];
  requester: string;
  businessOwner: string;
  technicalOwner: string;
  submittedAt: Date;
}

export interface SlackMessageOut {
  text: string;
  blocks: KnownBlock[];
}

const NEXT_STEP: Record<string, (m: AdrMessageModel) => string> = {
  awaiting_security_assessment: (m) =>
    `Next: ${mention(m.technicalOwner)} completes the security self-assessment; then the request goes to review.`,
  in_review: (m) =>
    m.tier <= 1
      ? "Next: the technical owner decides."
      : m.tier === 2
        ? "Next: the technical owner and the CISO decide."
        : "Next: the governance committee votes; you will hear of the decision here.",
  superseded: () => "A newer version of this request replaced it; that one carries on.",
};

function reasonsBlock(m: AdrMessageModel): KnownBlock {
  const lines = m.reasons.length
    ? m.reasons.map((r) => `• ${escapeMrkdwn(r)}`).join("\n")
    : "• no risk factor";
  return {
    type: "section",
    text: { type: "mrkdwn", text: truncate(`*Why tier ${m.tier} (score ${m.score}):*\n${lines}`, 3000) },
  };
}

function factsBlock(m: AdrMessageModel): KnownBlock {
  return {
    type: "section",
    fields: [
      { type: "mrkdwn", text: `*Status*\n${statusLabel(m.status)}` },
      { type: "mrkdwn", text: `*Risk tier*\n${TIER_LABEL[m.tier] ?? m.tier}` },
      { type: "mrkdwn", text: `*Business owner*\n${mention(m.businessOwner)}` },
      { type: "mrkdwn", text: `*Technical owner*\n${mention(m.technicalOwner)}` },
      {
        type: "mrkdwn",
        text: truncate(`*Version*\n${escapeMrkdwn(m.adrVersion)} (request ${m.version})`, 2000),
      },
      { type: "mrkdwn", text: `*Submitted*\n${day(m.submittedAt)} by ${mention(m.requester)}` },
    ],
  };
}

/** The requester's status message (ref adr-<id>-status), re-rendered whenever the status changes. */
export function adrStatusMessage(m: AdrMessageModel): SlackMessageOut {
  const name = escapeMrkdwn(m.agentName);
  const next = NEXT_STEP[m.status]?.(m);
  return {
    text: truncate(`Your agent request for ${name} is ${statusLabel(m.status)}.`, 3000),
    blocks: [
      { type: "header", text: { type: "plain_text", text: plainText(`Agent request: ${m.agentName}`, 150) } },
      factsBlock(m),
      ...(next ? [{ type: "section", text: { type: "mrkdwn", text: next } } as KnownBlock] : []),
      reasonsBlock(m),
      { type: "context", elements: [{ type: "mrkdwn", text: `Request #${m.adrId}` }] },
    ],
  };
}

/** The technical owner's DM asking for the security self-assessment. */
export function assessmentRequestMessage(m: AdrMessageModel, ids: AdrUiIds): SlackMessageOut {
  const name = escapeMrkdwn(m.agentName);
  return {
    text: truncate(`Please complete the security self-assessment for ${name}.`, 3000),
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: truncate(
            `${mention(m.requester)} asked to deploy *${name}* and named you its technical owner. ` +
              "Please complete the security self-assessment: the request goes to review when you do.",
            3000,
          ),
        },
      },
      factsBlock(m),
      reasonsBlock(m),
      {
        type: "actions",
        elements: [button("Complete security assessment", ids.openAssessment, String(m.adrId), "primary")],
      },
    ],
  };
}

/** Tier 4: the board hears of the request at submission. */
export function boardSubmissionMessage(m: AdrMessageModel): SlackMessageOut {
  const name = escapeMrkdwn(m.agentName);
  return {
    text: truncate(`Tier 4 (critical) agent request submitted: ${name}.`, 3000),
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: truncate(
            `:rotating_light: *Tier 4 (critical) agent request:* *${name}*, submitted by ${mention(m.requester)}. ` +
              "The governance committee reviews it; the board is told of the decision too.",
            3000,
          ),
        },
      },
      factsBlock(m),
      reasonsBlock(m),
    ],
  };
}
