import type { Button } from "@slack/types";
import { escapeMrkdwn, plainText, truncate } from "../../src/domain/slack-text.ts";

/** An action id and the value it carries (built by src/slack/ids). */
export type Control = { actionId: string; value: string };

const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** `<@U…>` for a Slack user id; anything else is shown escaped, never as a mention. */
export function mention(user: string | null | undefined): string {
  if (!user) return "_nobody_";
  return USER_ID.test(user) ? `<@${user}>` : escapeMrkdwn(user);
}

export function mentions(users: readonly string[]): string {
  return users.length ? users.map(mention).join(", ") : "_nobody_";
}

/** A time shown in the reader's own zone, with a UTC fallback for clients that cannot format it. */
export function slackDate(at: Date | null | undefined): string {
  if (!at) return "_not set_";
  const unix = Math.floor(at.getTime() / 1000);
  const fallback = `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `<!date^${unix}^{date_short_pretty} at {time}|${fallback}>`;
}

/** A calendar day in the reader's zone. */
export function slackDay(at: Date | null | undefined): string {
  if (!at) return "_not set_";
  const unix = Math.floor(at.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty}|${at.toISOString().slice(0, 10)}>`;
}

/** Bullet lines of user text, escaped, the whole list kept under `max` characters. */
export function bullets(lines: readonly string[], max = 2800, empty = "_none_"): string {
  if (lines.length === 0) return empty;
  let out = "";
  for (let i = 0; i < lines.length; i++) {
    const line = `• ${lines[i]}\n`;
    if (out.length + line.length > max) {
      out += `…and ${lines.length - i} more`;
      return out;
    }
    out += line;
  }
  return out.trimEnd();
}

export const esc = (s: string, max: number): string => truncate(escapeMrkdwn(s), max);

export function button(
  text: string,
  control: Control,
  style?: "primary" | "danger",
  accessibility?: string,
): Button {
  return {
    type: "button",
    text: { type: "plain_text", text: plainText(text, 75), emoji: true },
    action_id: control.actionId,
    value: control.value,
    ...(style ? { style } : {}),
    ...(accessibility ? { accessibility_label: plainText(accessibility, 75) } : {}),
  };
}

export const CHOICE_LABEL: Record<string, string> = {
  approve: "Approve",
  conditional: "Conditional",
  reject: "Reject",
};

export const OUTCOME_LABEL: Record<string, string> = {
  approved: "Approved",
  conditional: "Approved with conditions",
  rejected: "Rejected",
  withdrawn: "Withdrawn",
  in_review: "In review",
  awaiting_security_assessment: "Awaiting security assessment",
  superseded: "Superseded by a newer version",
};

export const ROLE_LABEL: Record<string, string> = {
  technical_owner: "technical owner",
  ciso: "CISO",
  chair: "chair",
  co_chair: "co-chair",
};

/** A role, or several held at once ("technical_owner+ciso"), as people say it. */
export const roleLabel = (role: string): string =>
  role
    .split("+")
    .map((r) => ROLE_LABEL[r] ?? r.replace(/_/g, " "))
    .join(" and ");

/**
 * Generated text (a decision's reason from the sign-off rules) names people by
 * id; escaped first, those ids then become mentions. Never for typed text.
 */
export function whyText(s: string, max: number): string {
  return esc(s, max).replace(/\b([UW][A-Z0-9]{6,})\b/g, "<@$1>");
}
