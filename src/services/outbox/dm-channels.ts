import type { ConversationsOpenResponse, WebClient } from "@slack/web-api";
import { leanCall } from "../../slack/lean-call.ts";

/** A workspace's DM channel ids, per person (Slack keeps a bot's DM with a person for good). */
const channelsByClient = new WeakMap<WebClient, Map<string, Promise<string>>>();
const MAX_PEOPLE = 10_000;

/**
 * The DM channel with `user`: conversations.open the first time (once, however
 * many messages to that person are on their way), then from memory (bounded;
 * per client, so per workspace token). `known` says it came from memory: a
 * channel Slack no longer accepts is forgotten with `forgetDmChannel`.
 */
export async function dmChannel(
  slack: WebClient,
  user: string,
): Promise<{ channel: string; known: boolean }> {
  let channels = channelsByClient.get(slack);
  if (!channels) {
    channels = new Map();
    channelsByClient.set(slack, channels);
  }
  const known = channels.get(user);
  if (known) return { channel: await known, known: true };
  const opening = leanCall<ConversationsOpenResponse>(slack, "conversations.open", { users: user }).then(
    (res) => res.channel!.id!,
  );
  if (channels.size >= MAX_PEOPLE) channels.delete(channels.keys().next().value!);
  channels.set(user, opening);
  try {
    return { channel: await opening, known: false };
  } catch (err) {
    if (channels.get(user) === opening) channels.delete(user);
    throw err;
  }
}

export function forgetDmChannel(slack: WebClient, user: string): void {
  channelsByClient.get(slack)?.delete(user);
}
