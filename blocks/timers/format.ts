import type { KnownBlock } from "@slack/types";
import { escapeMrkdwn, truncate } from "../../src/domain/slack-text.ts";

/** A date each reader sees in their own time zone (the ISO text is the fallback). */
export function slackDate(at: Date): string {
  const unix = Math.floor(at.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty} {time}|${at.toISOString().slice(0, 16).replace("T", " ")} UTC>`;
}

/** A day, for review and deadline dates. */
export function slackDay(at: Date): string {
  const unix = Math.floor(at.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty}|${at.toISOString().slice(0, 10)}>`;
}

export const mention = (user: string): string => `<@${user}>`;

/** User-typed names in mrkdwn: escaped, bounded. */
export const safeName = (name: string, max = 150): string => truncate(escapeMrkdwn(name), max);

export type ButtonControl = { actionId: string; value: string };

export function section(text: string): KnownBlock {
  return { type: "section", text: { type: "mrkdwn", text: truncate(text, 3000) } };
}

export function context(text: string): KnownBlock {
  return { type: "context", elements: [{ type: "mrkdwn", text: truncate(text, 3000) }] };
}

export function buttons(items: { text: string; control: ButtonControl; primary?: boolean }[]): KnownBlock {
  return {
    type: "actions",
    elements: items.map((b) => ({
      type: "button",
      text: { type: "plain_text", text: b.text },
      action_id: b.control.actionId,
      value: b.control.value,
      ...(b.primary ? { style: "primary" as const } : {}),
    })),
  };
}
