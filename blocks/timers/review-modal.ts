import type { KnownBlock, ModalView } from "@slack/types";
import {
  REVIEW_OUTCOME_LABELS,
  REVIEW_OUTCOMES,
  type ReviewOutcome,
} from "../../src/domain/review-outcome.ts";
import { context, mention, safeName, section, slackDay } from "./format.ts";
import { type ReviewKindName, reviewKindLabel } from "./reviews.ts";

export type ReviewModalIds = {
  callbackId: string;
  outcome: string;
  notes: string;
  conditions: string;
  inputAction: string;
};

export type ReviewModalModel = {
  agentName: string;
  kind: ReviewKindName;
  dueAt: Date;
  tier: number;
  privateMetadata: string;
};

export function reviewModal(m: ReviewModalModel, ids: ReviewModalIds): ModalView {
  const options = REVIEW_OUTCOMES.map((o) => ({
    text: { type: "plain_text" as const, text: REVIEW_OUTCOME_LABELS[o] },
    value: o,
  }));
  const label = reviewKindLabel(m.kind);
  return {
    type: "modal",
    callback_id: ids.callbackId,
    private_metadata: m.privateMetadata,
    title: { type: "plain_text", text: "Agent review" },
    submit: { type: "plain_text", text: "Record review" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      section(`*${safeName(m.agentName)}*: ${label}, tier ${m.tier}, due ${slackDay(m.dueAt)}.`),
      {
        type: "input",
        block_id: ids.outcome,
        label: { type: "plain_text", text: "Outcome" },
        element: { type: "radio_buttons", action_id: ids.inputAction, options },
      },
      {
        type: "input",
        block_id: ids.notes,
        optional: true,
        label: { type: "plain_text", text: "Notes" },
        hint: {
          type: "plain_text",
          text: "What you checked: monitoring, incidents, scope, owners. Kept in the audit trail.",
        },
        element: { type: "plain_text_input", action_id: ids.inputAction, multiline: true, max_length: 3000 },
      },
      {
        type: "input",
        block_id: ids.conditions,
        optional: true,
        label: { type: "plain_text", text: "Conditions" },
        hint: {
          type: "plain_text",
          text: "Required for “Continue with conditions”: one per line, optionally ending with “by 2026-09-30” (default: 30 days). The technical owner owns them and is reminded.",
        },
        element: { type: "plain_text_input", action_id: ids.inputAction, multiline: true, max_length: 3000 },
      },
    ],
  };
}

export type ReviewRecordedModel = {
  agentName: string;
  outcome: ReviewOutcome;
  nextReviewDue: Date | null;
  conditions: number;
};

function recordedLines(m: ReviewRecordedModel): string {
  const next = m.nextReviewDue
    ? `Next periodic review due ${slackDay(m.nextReviewDue)}.`
    : "No further reviews.";
  const conds = m.conditions ? ` ${m.conditions} condition(s) are now tracked with reminders.` : "";
  return `Review of *${safeName(m.agentName)}* recorded: *${REVIEW_OUTCOME_LABELS[m.outcome]}*. ${next}${conds}`;
}

/** Replaces the modal after a successful submission. */
export function reviewRecordedView(m: ReviewRecordedModel): ModalView {
  return {
    type: "modal",
    title: { type: "plain_text", text: "Agent review" },
    close: { type: "plain_text", text: "Done" },
    blocks: [section(recordedLines(m))],
  };
}

/** To the owners (and the committee for suspend / decommission). */
export function reviewOutcomeNotice(m: ReviewRecordedModel & { by: string; notes: string }): {
  text: string;
  blocks: KnownBlock[];
} {
  const text = `${recordedLines(m)} Reviewed by ${mention(m.by)}.`;
  const blocks: KnownBlock[] = [section(text)];
  if (m.notes.trim()) blocks.push(context(`Notes: ${safeName(m.notes, 2800)}`));
  return { text, blocks };
}
