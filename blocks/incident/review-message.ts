import type { KnownBlock } from "@slack/types";
import type { PostIncidentReviewContent } from "../../src/domain/post-incident-review.ts";
import { person, plain, slackDate, userText } from "./format.ts";
import type { IncidentRef, Message } from "./notices.ts";

const section = (title: string, body: string): KnownBlock => ({
  type: "section",
  text: { type: "mrkdwn", text: `*${title}*\n${body}` },
});

/** Free text typed one item a line becomes a bullet list. */
const list = (s: string, max: number): string => {
  const items = s
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return items.length ? userText(items.map((l) => `• ${l}`).join("\n"), max) : "_None recorded._";
};

/** The completed review, posted in the incident's thread. */
export function reviewMessage(
  i: IncidentRef,
  review: PostIncidentReviewContent,
  completedBy: string,
  completedAt: Date,
): Message {
  const whys = review.fiveWhys.map((w, n) => `${n + 1}. ${userText(w, 500)}`).join("\n");
  const actions = review.remediationActions.length
    ? review.remediationActions
        .map((a) => `• ${userText(a.description, 400)}: ${person(a.owner)}, due ${a.deadline}`)
        .join("\n")
    : "_None._";
  const blocks: KnownBlock[] = [
    { type: "header", text: plain(`Post-incident review: incident #${i.id}`, 150) },
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `${i.severity} on *${userText(i.agentName, 200)}* · completed by ${person(completedBy)} ${slackDate(completedAt)} · ${review.timeline.length} audit events in the timeline · export: \`agov pir export ${i.id}\``,
        },
      ],
    },
    section("Root cause", userText(review.rootCause, 2800)),
    section("Five whys", whys || "—"),
    section("Contributing factors", list(review.contributingFactors, 2800)),
    section("Affected scope", userText(review.affectedScope, 2800)),
    section("Controls that worked", list(review.controlsThatWorked, 2800)),
    section("Controls that failed", list(review.controlsThatFailed, 2800)),
    section("Remediation actions", actions),
    section("Governance process improvements", list(review.governanceProcessImprovements, 2800)),
    section("Policy changes recommended", list(review.policyChangesRecommended, 2800)),
  ];
  return { text: `Post-incident review of incident #${i.id} completed`, blocks };
}
