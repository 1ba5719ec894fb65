import type { Button } from "@slack/types";
import { escapeMrkdwn, plainText } from "../../src/domain/slack-text.ts";

/**
 * The ids the ADR intake surfaces need (src/slack/ids/adr.ts supplies them),
 * so these builders stay pure functions of their view models.
 */
export interface AdrUiIds {
  requestCallback: string;
  importCallback: string;
  assessCallback: string;
  draftPromptCallback: string;
  noticeCallback: string;
  inputAction: string;
  importBlock: string;
  continueDraft: string;
  startOver: string;
  back: string;
  openAssessment: string;
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** `<@U…>` for a Slack user id; anything else is shown escaped, never as a mention. */
export function mention(user: string | null | undefined): string {
  if (!user) return "_nobody_";
  return USER_ID.test(user) ? `<@${user}>` : escapeMrkdwn(user);
}

/** A calendar day (YYYY-MM-DD, UTC) or "not set". */
export function day(at: Date | string | null | undefined): string {
  if (!at) return "not set";
  const d = typeof at === "string" ? new Date(at) : at;
  return Number.isNaN(d.getTime()) ? "not set" : d.toISOString().slice(0, 10);
}

export function button(text: string, actionId: string, value: string, style?: "primary" | "danger"): Button {
  return {
    type: "button",
    text: { type: "plain_text", text: plainText(text, 75) },
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
  };
}

export const TIER_LABEL: Record<number, string> = {
  1: "Tier 1 (low)",
  2: "Tier 2 (medium)",
  3: "Tier 3 (high)",
  4: "Tier 4 (critical)",
};

export const ADR_STATUS_LABEL: Record<string, string> = {
  awaiting_security_assessment: "awaiting the security assessment",
  in_review: "in review",
  approved: "approved",
  conditional: "conditionally approved",
  rejected: "rejected",
  withdrawn: "withdrawn",
  superseded: "superseded by a newer version",
};

export const statusLabel = (status: string): string => ADR_STATUS_LABEL[status] ?? escapeMrkdwn(status);
