import type { KnownBlock } from "@slack/types";
import { context, mention, safeName, section, slackDate, slackDay } from "./format.ts";

export type DigestRequest = {
  adrId: number;
  agentName: string;
  tier: number;
  status: "awaiting_security_assessment" | "in_review";
  slaDueAt: Date | null;
  overdue: boolean;
};
export type DigestItem = {
  itemId: number;
  agentName: string | null;
  description: string;
  owner: string;
  deadline: Date;
};
export type DigestReview = { reviewId: number; agentName: string; kind: string; dueAt: Date };

export type WeeklyDigest = {
  weekOf: string;
  pending: DigestRequest[];
  overdueItems: DigestItem[];
  overdueReviews: DigestReview[];
  upcomingReviews: DigestReview[];
};

const MAX_LINES = 20;
const kindLabel = (kind: string) => (kind === "post_deployment" ? "post-deployment" : "periodic");

function requestLine(r: DigestRequest): string {
  const name = `*${safeName(r.agentName, 80)}* (ADR #${r.adrId}, tier ${r.tier})`;
  if (r.status === "awaiting_security_assessment")
    return `• ${name}: waiting for the security self-assessment`;
  const due = r.slaDueAt ? `SLA due ${slackDate(r.slaDueAt)}` : "no SLA clock";
  return `• ${r.overdue ? ":red_circle: *OVERDUE* " : ""}${name}: in review, ${due}`;
}

const itemLine = (i: DigestItem) =>
  `• ${i.agentName ? `*${safeName(i.agentName, 80)}*: ` : ""}${safeName(i.description, 200)} (owner ${mention(i.owner)}, due ${slackDay(i.deadline)})`;
const reviewLine = (r: DigestReview) =>
  `• *${safeName(r.agentName, 80)}*: ${kindLabel(r.kind)} review due ${slackDay(r.dueAt)}`;

/** A titled list, split into sections under Slack's 3000-character limit, with at most MAX_LINES lines. */
function group<T>(title: string, rows: T[], line: (row: T) => string, empty: string): KnownBlock[] {
  if (!rows.length) return [section(`*${title}*\n_${empty}_`)];
  const lines = rows.slice(0, MAX_LINES).map(line);
  if (rows.length > MAX_LINES) lines.push(`_…and ${rows.length - MAX_LINES} more_`);
  const blocks: KnownBlock[] = [];
  let chunk = `*${title} (${rows.length})*`;
  for (const l of lines) {
    if (chunk.length + l.length + 1 > 2900) {
      blocks.push(section(chunk));
      chunk = l;
    } else chunk += `\n${l}`;
  }
  blocks.push(section(chunk));
  return blocks;
}

export function weeklyDigestMessage(d: WeeklyDigest): { text: string; blocks: KnownBlock[] } {
  const overdueRequests = d.pending.filter((p) => p.overdue).length;
  const text = `Weekly governance digest, week of ${d.weekOf}: ${d.pending.length} pending request(s) (${overdueRequests} overdue), ${d.overdueItems.length + d.overdueReviews.length} overdue item(s), ${d.upcomingReviews.length} review(s) due in the next 14 days.`;
  return {
    text,
    blocks: [
      { type: "header", text: { type: "plain_text", text: `Weekly governance digest: week of ${d.weekOf}` } },
      ...group("Pending requests", d.pending, requestLine, "No requests are waiting."),
      { type: "divider" },
      ...group("Overdue conditions and remediation actions", d.overdueItems, itemLine, "Nothing overdue."),
      ...group("Overdue reviews", d.overdueReviews, reviewLine, "No review is overdue."),
      { type: "divider" },
      ...group("Reviews due in the next 14 days", d.upcomingReviews, reviewLine, "None."),
      context("Posted every Monday at 09:00. Overdue requests have passed their approval SLA."),
    ],
  };
}
