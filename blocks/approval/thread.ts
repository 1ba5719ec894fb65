import type { KnownBlock } from "@slack/types";
import type { Tally } from "../../src/domain/approval.ts";
import {
  bullets,
  CHOICE_LABEL,
  esc,
  mention,
  OUTCOME_LABEL,
  roleLabel,
  slackDate,
  slackDay,
  whyText,
} from "./format.ts";

/** Replies in the request's thread: each vote, the tier changes, the outcome. */
type Message = { text: string; blocks: KnownBlock[] };
export type ConditionView = { text: string; owner: string; deadline: Date };

const section = (text: string): KnownBlock => ({ type: "section", text: { type: "mrkdwn", text } });

export function conditionLines(conditions: readonly ConditionView[]): string[] {
  return conditions.map((c) => `${esc(c.text, 500)}: ${mention(c.owner)}, due ${slackDay(c.deadline)}`);
}

export function voteReply(v: {
  voter: string;
  role: string;
  choice: string;
  previousChoice: string | null;
  reason: string | null;
  conditions: readonly ConditionView[];
}): Message {
  const label = CHOICE_LABEL[v.choice] ?? v.choice;
  const verb = v.previousChoice
    ? `changed their vote from *${CHOICE_LABEL[v.previousChoice] ?? v.previousChoice}* to *${label}*`
    : `voted *${label}*`;
  let body = `${mention(v.voter)} (${esc(roleLabel(v.role), 60)}) ${verb}.`;
  if (v.reason) body += `\n>${esc(v.reason, 2000).replace(/\n/g, "\n>")}`;
  const blocks: KnownBlock[] = [section(body)];
  if (v.conditions.length) blocks.push(section(`*Conditions*\n${bullets(conditionLines(v.conditions))}`));
  return { text: `${mention(v.voter)} voted ${label}`, blocks };
}

export function outcomeReply(v: {
  outcome: string;
  why: string;
  tally: Tally;
  conditions: readonly ConditionView[];
  nextReviewDate: Date | null;
}): Message {
  const label = OUTCOME_LABEL[v.outcome] ?? v.outcome;
  const t = v.tally;
  const blocks: KnownBlock[] = [
    section(
      `:scales: *Decision: ${label}*\n${whyText(v.why, 1500)}\n` +
        `Final tally: Approve ${t.approve} · Conditional ${t.conditional} · Reject ${t.reject}`,
    ),
  ];
  if (v.conditions.length) {
    blocks.push(section(`*Conditions to complete*\n${bullets(conditionLines(v.conditions))}`));
  }
  if (v.nextReviewDate) blocks.push(section(`Post-deployment review due ${slackDay(v.nextReviewDate)}.`));
  return { text: `Decision: ${label}`, blocks };
}

export function tierRaisedReply(v: { by: string; from: number; to: number; reason: string }): Message {
  return {
    text: `Tier raised from ${v.from} to ${v.to}`,
    blocks: [
      section(
        `:arrow_up: ${mention(v.by)} raised the tier from *${v.from}* to *${v.to}*: ${esc(v.reason, 2000)}\n` +
          "Sign-offs were recomputed; votes from people who no longer sign off are kept but not counted.",
      ),
    ],
  };
}

export function withdrawnReply(v: { by: string }): Message {
  return {
    text: "Request withdrawn",
    blocks: [section(`${mention(v.by)} withdrew this request. Voting is closed.`)],
  };
}

export function conditionDoneReply(v: {
  owner: string;
  text: string;
  evidence: string;
  remaining: number;
  at: Date;
}): Message {
  const tail =
    v.remaining === 0
      ? "\n:white_check_mark: Every condition is done: the request is now *approved*."
      : `\n${v.remaining} condition(s) still open.`;
  return {
    text: "Condition done",
    blocks: [
      section(
        `${mention(v.owner)} completed a condition ${slackDate(v.at)}: ${esc(v.text, 500)}\n` +
          `Evidence: ${esc(v.evidence, 1500)}${tail}`,
      ),
    ],
  };
}
