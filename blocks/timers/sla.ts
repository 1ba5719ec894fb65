import type { KnownBlock } from "@slack/types";
import { context, mention, safeName, section, slackDate } from "./format.ts";

export type SlaSubject = { adrId: number; agentName: string; tier: number; dueAt: Date };

export function slaReminderMessage(s: SlaSubject & { percent: number }): {
  text: string;
  blocks: KnownBlock[];
} {
  const name = safeName(s.agentName);
  const text = `Reminder: the deployment request for *${name}* (ADR #${s.adrId}, tier ${s.tier}) is waiting for your sign-off. ${s.percent}% of its SLA has passed; it is due ${slackDate(s.dueAt)}.`;
  return {
    text,
    blocks: [
      section(text),
      context(
        "Vote with the Approve / Conditional / Reject buttons on the request. You get this because you have not voted yet.",
      ),
    ],
  };
}

export function slaBreachMessage(s: SlaSubject & { chair: string; awaiting: string[] }): {
  text: string;
  blocks: KnownBlock[];
} {
  const name = safeName(s.agentName);
  const waiting = s.awaiting.length
    ? `Still waiting for: ${s.awaiting.map(mention).join(", ")}.`
    : "Every approver has voted, but no decision is recorded yet.";
  const text = `:rotating_light: ${mention(s.chair)} the SLA for *${name}* (ADR #${s.adrId}, tier ${s.tier}) was breached: the decision was due ${slackDate(s.dueAt)}. ${waiting}`;
  return {
    text,
    blocks: [section(text), context("Escalated to the committee chair. The request is now marked overdue.")],
  };
}
