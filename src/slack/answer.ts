import type { WebClient } from "@slack/web-api";
import { isGovernorError } from "../domain/errors.ts";

/** Where an immediate answer goes: the channel the click came from, else the person's DM with the app. */
export type AnswerTo = { user: string; channel?: string | undefined };

/**
 * Tells the person who clicked why nothing happened (refused, closed, not
 * found), visible only to them. Anything that is not a GovernorError goes on
 * to the global handler.
 */
export async function answerRefusal(slack: WebClient, to: AnswerTo, err: unknown): Promise<void> {
  if (!isGovernorError(err) || err.code === "unavailable") throw err;
  await tell(slack, to, `:no_entry: ${err.message}`);
}

export async function tell(slack: WebClient, to: AnswerTo, text: string): Promise<void> {
  if (to.channel) await slack.chat.postEphemeral({ channel: to.channel, user: to.user, text });
  else await slack.chat.postMessage({ channel: to.user, text });
}

/** The person and channel of an interaction payload. */
export function answerTo(body: { user: { id: string }; channel?: { id?: string } | undefined }): AnswerTo {
  return { user: body.user.id, channel: body.channel?.id };
}
