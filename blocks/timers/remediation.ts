import type { KnownBlock } from "@slack/types";
import { type ButtonControl, buttons, context, mention, safeName, section, slackDate } from "./format.ts";

export type TrackedItemSubject = {
  itemId: number;
  description: string;
  /** "condition" for ADR and review conditions, "remediation action" after an incident. */
  label: string;
  agentName: string | null;
  deadline: Date;
};

const about = (s: TrackedItemSubject) =>
  `${s.label} #${s.itemId}${s.agentName ? ` for *${safeName(s.agentName)}*` : ""}`;

/** To the owner, 3 days before and on the day. */
export function remediationReminderMessage(
  s: TrackedItemSubject & { when: "early" | "day"; markDone?: ButtonControl },
): { text: string; blocks: KnownBlock[] } {
  const due =
    s.when === "early" ? `is due ${slackDate(s.deadline)}` : `is due today (${slackDate(s.deadline)})`;
  const text = `Reminder: ${about(s)} ${due}.`;
  return {
    text,
    blocks: [
      section(text),
      section(`> ${safeName(s.description, 2500).replace(/\n/g, "\n> ")}`),
      context(
        "You own this item. When it is done, mark it done with evidence; an overdue item goes to the committee chair.",
      ),
      ...(s.markDone ? [buttons([{ text: "Mark done", control: s.markDone }])] : []),
    ],
  };
}

/** To the chair, at once, when the deadline has passed. */
export function remediationOverdueMessage(s: TrackedItemSubject & { owner: string }): {
  text: string;
  blocks: KnownBlock[];
} {
  const text = `:warning: ${about(s)}, owned by ${mention(s.owner)}, is overdue: it was due ${slackDate(s.deadline)}.`;
  return {
    text,
    blocks: [section(text), section(`> ${safeName(s.description, 2500).replace(/\n/g, "\n> ")}`)],
  };
}
