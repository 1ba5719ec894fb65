import type { KnownBlock } from "@slack/types";
import {
  bullets,
  button,
  type Control,
  esc,
  mention,
  OUTCOME_LABEL,
  roleLabel,
  slackDate,
  slackDay,
  whyText,
} from "./format.ts";
import { type RequestView, requestText, summaryBlocks } from "./request-message.ts";
import { type ConditionView, conditionLines } from "./thread.ts";

type Message = { text: string; blocks: KnownBlock[] };
const section = (text: string): KnownBlock => ({ type: "section", text: { type: "mrkdwn", text } });

/** Tier 1–2: the personal ask to a required signer, with the same vote buttons. */
export function signOffRequestDm(
  v: RequestView,
  role: string,
  controls: { approve: Control; conditional: Control; reject: Control },
): Message {
  return {
    text: `Your sign-off is requested on ${requestText(v)}`,
    blocks: [
      section(
        `:memo: Your sign-off is requested as *${esc(roleLabel(role), 60)}*, by ${slackDate(v.slaDueAt)}.`,
      ),
      ...summaryBlocks(v),
      {
        type: "actions",
        block_id: `adr-${v.adrId}-dm-actions`,
        elements: [
          button("Approve", controls.approve, "primary"),
          button("Conditional", controls.conditional),
          button("Reject", controls.reject, "danger"),
        ],
      },
    ],
  };
}

export function decisionDm(v: {
  adrId: number;
  agentName: string;
  outcome: string;
  why: string;
  conditions: readonly ConditionView[];
  nextReviewDate: Date | null;
  /** For the technical owner of an authorised agent: "Mark deployed". */
  markDeployed?: Control;
}): Message {
  const label = OUTCOME_LABEL[v.outcome] ?? v.outcome;
  const blocks: KnownBlock[] = [section(`*${requestText(v)}: ${label}*\n${whyText(v.why, 1500)}`)];
  if (v.conditions.length) {
    blocks.push(section(`*Conditions to complete*\n${bullets(conditionLines(v.conditions))}`));
  }
  if (v.nextReviewDate) blocks.push(section(`Post-deployment review due ${slackDay(v.nextReviewDate)}.`));
  if (v.markDeployed) {
    blocks.push(
      section(
        "When the agent is in production, mark it deployed: its post-deployment review then counts from that day.",
      ),
    );
    blocks.push({ type: "actions", elements: [button("Mark deployed", v.markDeployed, "primary")] });
  }
  return { text: `${requestText(v)}: ${label}`, blocks };
}

export function conditionOwnerDm(v: {
  adrId: number;
  agentName: string;
  text: string;
  deadline: Date;
  control: Control;
}): Message {
  return {
    text: `You own a condition of ${requestText(v)}`,
    blocks: [
      section(
        `:clipboard: You own a condition of the approval of ${requestText(v)}, due ${slackDay(v.deadline)}:\n` +
          `>${esc(v.text, 500)}`,
      ),
      { type: "actions", elements: [button("Mark done", v.control, "primary")] },
    ],
  };
}

export function requestUpdateDm(v: { adrId: number; agentName: string; line: string }): Message {
  return { text: `${requestText(v)}: ${v.line}`, blocks: [section(`*${requestText(v)}*: ${v.line}`)] };
}

/** Tier 4: the board hears of the decision (and of a raise to tier 4). */
export function boardNotice(v: {
  adrId: number;
  agentName: string;
  headline: string;
  why: string;
  by?: string;
}): Message {
  const by = v.by ? ` (${mention(v.by)})` : "";
  return {
    text: `${requestText(v)}: ${v.headline}`,
    blocks: [
      section(
        `:classical_building: *Tier 4 request ${requestText(v)}*: ${v.headline}${by}\n${whyText(v.why, 1500)}`,
      ),
    ],
  };
}
