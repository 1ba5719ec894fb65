import type { KnownBlock } from "@slack/types";
import { type ButtonControl, buttons, context, mention, safeName, section, slackDay } from "./format.ts";

export type ReviewKindName = "post_deployment" | "periodic";

export const reviewKindLabel = (kind: ReviewKindName): string =>
  kind === "post_deployment" ? "post-deployment review" : "periodic review";

export type ReviewSubject = { agentName: string; kind: ReviewKindName; dueAt: Date; start: ButtonControl };

/** To the owners: 14 days before (`early`) and on the due day (`due`). */
export function reviewReminderMessage(s: ReviewSubject & { when: "early" | "due" }): {
  text: string;
  blocks: KnownBlock[];
} {
  const name = safeName(s.agentName);
  const what = reviewKindLabel(s.kind);
  const text =
    s.when === "early"
      ? `The ${what} of *${name}* is due ${slackDay(s.dueAt)}, in two weeks.`
      : `The ${what} of *${name}* is due today (${slackDay(s.dueAt)}).`;
  return {
    text,
    blocks: [
      section(text),
      context(
        "A review records whether the agent continues (with or without conditions), is suspended, or is decommissioned.",
      ),
      buttons([{ text: "Start review", control: s.start, primary: true }]),
    ],
  };
}

/** To the chair, weekly while the review is overdue. */
export function reviewOverdueMessage(s: ReviewSubject & { owners: string[]; daysOverdue: number }): {
  text: string;
  blocks: KnownBlock[];
} {
  const name = safeName(s.agentName);
  const what = reviewKindLabel(s.kind);
  const days = s.daysOverdue === 1 ? "1 day" : `${s.daysOverdue} days`;
  const text = `:warning: The ${what} of *${name}* is overdue by ${days} (due ${slackDay(s.dueAt)}). Owners: ${s.owners.map(mention).join(", ")}.`;
  return {
    text,
    blocks: [
      section(text),
      context("You get this weekly as committee chair until the review is recorded."),
      buttons([{ text: "Start review", control: s.start }]),
    ],
  };
}

/** To the business owner when the technical owner marks the agent deployed. */
export function deployedNotice(s: { agentName: string; by: string; reviewDueAt: Date | null }): {
  text: string;
  blocks: KnownBlock[];
} {
  const review = s.reviewDueAt ? ` Its post-deployment review is due ${slackDay(s.reviewDueAt)}.` : "";
  const text = `*${safeName(s.agentName)}* was marked deployed by ${mention(s.by)}.${review}`;
  return { text, blocks: [section(text)] };
}
