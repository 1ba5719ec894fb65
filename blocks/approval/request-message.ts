import type { ActionsBlock, KnownBlock } from "@slack/types";
import type { Approver, SignOffRule, Tally } from "../../src/domain/approval.ts";
import { plainText, truncate } from "../../src/domain/slack-text.ts";
import {
  bullets,
  button,
  type Control,
  esc,
  mention,
  mentions,
  OUTCOME_LABEL,
  roleLabel,
  slackDate,
  whyText,
} from "./format.ts";

/** Everything the committee sees about one request, as of now. */
export type RequestView = {
  adrId: number;
  agentName: string;
  version: string | null;
  requester: string;
  businessOwner: string;
  technicalOwner: string;
  dataSteward: string | null;
  tier: number;
  computedTier: number;
  score: number;
  tierReasons: string[];
  tierRaised: { by: string | null; reason: string } | null;
  tools: { name: string; permissions: string }[];
  data: string[];
  regulatedData: boolean | null;
  externalApiCalls: boolean | null;
  signOff: {
    rule: SignOffRule;
    approvers: Approver[];
    quorum: { needed: number; members: number } | null;
    blockers: string[];
  };
  slaDueAt: Date | null;
  tally: Tally;
  awaiting: string[];
  voted: { voter: string; choice: string }[];
  /** in_review | approved | conditional | rejected | withdrawn | … */
  status: string;
  closing: { why: string; at: Date | null } | null;
  /** Present only while votes are open. */
  controls: {
    approve: Control;
    conditional: Control;
    reject: Control;
    raiseTier: Control;
    withdraw: Control;
  } | null;
};

const RULE_TEXT: Record<SignOffRule, string> = {
  technical_owner: "The technical owner decides.",
  technical_owner_and_ciso:
    "The technical owner and the CISO must both approve; any reject rejects; any conditional makes it conditional.",
  committee:
    "Full committee: quorum is more than half of the voting members, including the chair or co-chair; the majority of votes cast decides, a tie goes to the more restrictive outcome, and a reject by the chair or co-chair is a veto.",
};

const yesNo = (v: boolean | null) => (v === null ? "not stated" : v ? "yes" : "no");

export function requestTitle(v: Pick<RequestView, "adrId" | "agentName" | "version">): string {
  const version = v.version ? ` v${v.version}` : "";
  return plainText(`ADR-${v.adrId}: ${v.agentName}${version}`, 150);
}

/** The title for a message's `text` (mrkdwn in notifications, so escaped). */
export function requestText(v: Pick<RequestView, "adrId" | "agentName">): string {
  return `ADR-${v.adrId} (${esc(v.agentName, 120)})`;
}

/** The part shared by the committee message and the sign-off DMs. */
export function summaryBlocks(v: RequestView): KnownBlock[] {
  const tierLine = v.tierRaised
    ? `*Tier ${v.tier}* (raised from computed tier ${v.computedTier} by ${mention(v.tierRaised.by)}: ${esc(v.tierRaised.reason, 500)})`
    : `*Tier ${v.tier}* (score ${v.score})`;
  const tools = v.tools.map((t) => `*${esc(t.name, 100)}*: ${esc(t.permissions, 200)}`);
  return [
    { type: "header", text: { type: "plain_text", text: requestTitle(v), emoji: false } },
    {
      type: "section",
      fields: [
        { type: "mrkdwn", text: `*Business owner*\n${mention(v.businessOwner)}` },
        { type: "mrkdwn", text: `*Technical owner*\n${mention(v.technicalOwner)}` },
        { type: "mrkdwn", text: `*Requested by*\n${mention(v.requester)}` },
        { type: "mrkdwn", text: `*Data steward*\n${mention(v.dataSteward)}` },
        { type: "mrkdwn", text: `*Status*\n${OUTCOME_LABEL[v.status] ?? esc(v.status, 60)}` },
        { type: "mrkdwn", text: `*Decision due*\n${slackDate(v.slaDueAt)}` },
      ],
    },
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `${tierLine}\n${bullets(
          v.tierReasons.map((r) => esc(r, 200)),
          2400,
        )}`,
      },
    },
    {
      type: "section",
      text: { type: "mrkdwn", text: `*Requested tools*\n${bullets(tools, 2800)}` },
    },
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text:
          `*Data processed*\n${bullets(
            v.data.map((d) => esc(d, 200)),
            2500,
          )}\n` +
          `Regulated data: ${yesNo(v.regulatedData)} · External API calls: ${yesNo(v.externalApiCalls)}`,
      },
    },
  ];
}

function signOffText(v: RequestView): string {
  const s = v.signOff;
  const who = s.approvers.map((a) => `${mention(a.user)} (${esc(roleLabel(a.role), 60)})`).join(", ");
  const quorum = s.quorum ? `\nQuorum: ${s.quorum.needed} of ${s.quorum.members} voting members.` : "";
  const blockers = s.blockers.map((b) => `\n:warning: ${esc(b, 400)}`).join("");
  return `*Who must sign off*\n${RULE_TEXT[s.rule]}\n${who || "_nobody_"}${quorum}${blockers}`;
}

function tallyText(v: RequestView): string {
  const t = v.tally;
  const counts = `Approve ${t.approve} · Conditional ${t.conditional} · Reject ${t.reject}`;
  const votes = v.voted.map((x) => `${mention(x.voter)}: ${x.choice}`).join(", ");
  const awaiting = v.controls ? `\nStill awaited: ${mentions(v.awaiting)}` : "";
  return `*Votes*: ${counts}${votes ? `\n${votes}` : ""}${awaiting}`;
}

export function requestMessage(v: RequestView): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [
    ...summaryBlocks(v),
    { type: "section", text: { type: "mrkdwn", text: truncate(signOffText(v), 3000) } },
    { type: "section", text: { type: "mrkdwn", text: truncate(tallyText(v), 3000) } },
  ];
  if (v.closing) {
    const label = OUTCOME_LABEL[v.status] ?? v.status;
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: `*${label}* ${slackDate(v.closing.at)}: ${whyText(v.closing.why, 2000)}`,
      },
    });
  }
  if (v.controls) {
    const c = v.controls;
    const actions: ActionsBlock = {
      type: "actions",
      block_id: `adr-${v.adrId}-actions`,
      elements: [
        button("Approve", c.approve, "primary"),
        button("Conditional", c.conditional),
        button("Reject", c.reject, "danger"),
        button("Raise tier", c.raiseTier, undefined, "Raise the risk tier (chair only)"),
        button("Withdraw", c.withdraw, undefined, "Withdraw this request (requester only)"),
      ],
    };
    blocks.push(actions, {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: "Only the listed approvers may vote, and may change their vote until the decision. Only the chair may raise the tier; only the requester may withdraw.",
        },
      ],
    });
  }
  const status = OUTCOME_LABEL[v.status] ?? v.status;
  return { text: `${requestText(v)}: tier ${v.tier}, ${status.toLowerCase()}`, blocks };
}
