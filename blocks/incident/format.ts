import type { PlainTextElement } from "@slack/types";
import { escapeMrkdwn, plainText, truncate } from "../../src/domain/slack-text.ts";

/** Small mrkdwn helpers shared by the incident builders. */

/** A time every reader sees in their own zone; the fallback is UTC. */
export function slackDate(at: Date): string {
  const fallback = `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time}|${fallback}>`;
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** A Slack user id becomes a mention; anything else (an e-mail from an ADR) is shown escaped. */
export function person(who: string | null | undefined): string {
  if (!who) return "—";
  return USER_ID.test(who) ? `<@${who}>` : escapeMrkdwn(who);
}

export type OnCall = { users?: readonly string[] | undefined; usergroup?: string | undefined };

export function onCallMentions(oncall: OnCall): string {
  const parts = [
    ...(oncall.usergroup ? [`<!subteam^${oncall.usergroup}>`] : []),
    ...(oncall.users ?? []).map((u) => `<@${u}>`),
  ];
  return parts.join(" ");
}

export const plain = (text: string, max: number): PlainTextElement => ({
  type: "plain_text",
  text: plainText(text, max) || "—",
  emoji: true,
});

/** Escaped, shortened mrkdwn for text someone typed. */
export const userText = (s: string | null | undefined, max: number): string =>
  truncate(escapeMrkdwn((s ?? "").trim()), max) || "—";

export function minutesLabel(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  const h = ms / 3_600_000;
  return `${Number.isInteger(h) ? h : h.toFixed(1)} h`;
}
