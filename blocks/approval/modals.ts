import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from "@slack/types";
import {
  APPROVAL_FIELDS,
  INPUT_ACTION,
  MAX_CONDITION_ROWS,
  VOTE_LIMITS,
} from "../../src/domain/vote-input.ts";
import { esc, slackDay } from "./format.ts";

/** The small forms of the approval workflow; block ids are the dotted field paths. */
type ModalBase = { callbackId: string; privateMetadata: string; subject: string };

const plain = (text: string) => ({ type: "plain_text" as const, text, emoji: true });
const section = (text: string): KnownBlock => ({ type: "section", text: { type: "mrkdwn", text } });

function textInput(
  blockId: string,
  label: string,
  opts: { multiline?: boolean; max: number; optional?: boolean; placeholder?: string },
): InputBlock {
  return {
    type: "input",
    block_id: blockId,
    optional: opts.optional ?? false,
    label: plain(label),
    element: {
      type: "plain_text_input",
      action_id: INPUT_ACTION,
      multiline: opts.multiline ?? false,
      max_length: opts.max,
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder) } : {}),
    },
  };
}

function modal(base: ModalBase, title: string, submit: string, blocks: KnownBlock[]): ModalView {
  return {
    type: "modal",
    callback_id: base.callbackId,
    private_metadata: base.privateMetadata,
    title: plain(title),
    submit: plain(submit),
    close: plain("Cancel"),
    blocks,
  };
}

export function conditionalVoteModal(base: ModalBase): ModalView {
  const rows: KnownBlock[] = [];
  for (let i = 0; i < MAX_CONDITION_ROWS; i++) {
    const optional = i > 0;
    const n = i + 1;
    rows.push(
      textInput(APPROVAL_FIELDS.conditionText(i), `Condition ${n}`, {
        multiline: true,
        max: VOTE_LIMITS.conditionText,
        optional,
        placeholder: "What must be done before or after deployment",
      }),
      {
        type: "input",
        block_id: APPROVAL_FIELDS.conditionOwner(i),
        optional,
        label: plain(`Owner of condition ${n}`),
        element: { type: "users_select", action_id: INPUT_ACTION },
      },
      {
        type: "input",
        block_id: APPROVAL_FIELDS.conditionDeadline(i),
        optional,
        label: plain(`Deadline of condition ${n}`),
        element: { type: "datepicker", action_id: INPUT_ACTION },
      },
    );
  }
  return modal(base, "Conditional approval", "Submit vote", [
    section(
      `You approve ${base.subject} *with conditions*. Give at least one (up to ${MAX_CONDITION_ROWS}); leave unused rows empty.`,
    ),
    ...rows,
    textInput(APPROVAL_FIELDS.reason, "Rationale (optional)", {
      multiline: true,
      max: VOTE_LIMITS.reason,
      optional: true,
    }),
  ]);
}

export function rejectVoteModal(base: ModalBase): ModalView {
  return modal(base, "Reject request", "Reject", [
    section(`You reject ${base.subject}. The reason is posted in the request's thread.`),
    textInput(APPROVAL_FIELDS.reason, "Reason", { multiline: true, max: VOTE_LIMITS.reason }),
  ]);
}

export function raiseTierModal(base: ModalBase & { currentTier: number; computedTier: number }): ModalView {
  const options: PlainTextOption[] = [];
  for (let t = base.currentTier + 1; t <= 4; t++)
    options.push({ text: plain(`Tier ${t}`), value: String(t) });
  return modal(base, "Raise risk tier", "Raise tier", [
    section(
      `${base.subject} is tier *${base.currentTier}* (computed: ${base.computedTier}). ` +
        "Raising it recomputes who must sign off and restarts the SLA timers for the new tier.",
    ),
    {
      type: "input",
      block_id: APPROVAL_FIELDS.tier,
      label: plain("New tier"),
      element: { type: "static_select", action_id: INPUT_ACTION, options },
    },
    textInput(APPROVAL_FIELDS.reason, "Reason", { multiline: true, max: VOTE_LIMITS.reason }),
  ]);
}

export function conditionDoneModal(base: ModalBase & { text: string; deadline: Date }): ModalView {
  return modal(base, "Mark condition done", "Mark done", [
    section(`${base.subject}, due ${slackDay(base.deadline)}:\n>${esc(base.text, 500)}`),
    textInput(APPROVAL_FIELDS.evidence, "Evidence", {
      multiline: true,
      max: VOTE_LIMITS.reason,
      placeholder: "What was done, with a link to the proof",
    }),
  ]);
}
