import {
  type ChatPostMessageResponse,
  ErrorCode as SlackErrorCode,
  type WebAPIPlatformError,
} from "@slack/web-api";
import { and, eq, gt, inArray } from "drizzle-orm";
import { stillPending } from "../../db/pending.ts";
import { leanCall } from "../../slack/lean-call.ts";
import { type OutboxRow, outbox, slackMessages, slackUsers } from "../../db/schema/index.ts";
import type { Deps } from "../deps.ts";
import { claimOutbox, releaseOutbox } from "./claim.ts";
import { dmChannel, forgetDmChannel } from "./dm-channels.ts";
import type { MarkSent } from "./mark-sent.ts";

/** Errors that no retry will fix: the item is marked dead and logged. */
const PERMANENT = new Set([
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "invalid_blocks",
  "invalid_arguments",
  "msg_too_long",
  "user_not_found",
  "cannot_dm_bot",
  "message_not_found",
  "cant_update_message",
  "account_inactive",
  "invalid_auth",
  "missing_scope",
]);

export class RetryLater extends Error {}

export type DeliveryResult = "sent" | "skipped" | "superseded" | "dead" | { deferUntil: Date };

/** When a DM that waits for working hours may go out, given the recipient's time zone. */
export type NextWorkingMoment = (userTz: string | null) => Date;

/** The outbox job: claims the item (see claimOutbox), then delivers it. */
export async function deliverOutboxItem(
  deps: Deps,
  outboxId: number,
  nextWorkingMoment: NextWorkingMoment,
): Promise<DeliveryResult> {
  const now = deps.now();
  const [item] = await claimOutbox(deps.db, [outboxId], now);
  if (item) return deliverClaimed(deps, item, nextWorkingMoment);
  const [row] = await deps.db
    .select({ status: outbox.status, deliverAfter: outbox.deliverAfter })
    .from(outbox)
    .where(eq(outbox.id, outboxId));
  if (row?.status !== "pending") return "skipped";
  // Waiting for its time, or held by another deliverer: look again when that is over
  // (a deliverer that died lets its claim lapse, and this job then delivers it).
  return { deferUntil: new Date(Math.max(row.deliverAfter.getTime(), now.getTime() + 1000)) };
}

/**
 * Delivers one claimed outbox item at least once, in order per message ref:
 * a reply or update waits until its parent has been posted; an update
 * superseded by a newer one is skipped (only the latest rendering matters).
 */
export async function deliverClaimed(
  deps: Deps,
  item: OutboxRow,
  nextWorkingMoment: NextWorkingMoment,
  markSent: MarkSent = (sent, ts) => markDone(deps, sent, "sent", ts),
): Promise<DeliveryResult> {
  const payload = item.payload as {
    text: string;
    blocks?: unknown[];
    workingHours?: boolean;
    reply_broadcast?: boolean;
  };
  const message = { text: payload.text, ...(payload.blocks ? { blocks: payload.blocks as never } : {}) };
  const now = deps.now();
  try {
    let ts: string | undefined;
    switch (item.op) {
      case "post": {
        const res = await leanCall<ChatPostMessageResponse>(deps.slack, "chat.postMessage", {
          channel: item.target!,
          ...message,
          unfurl_links: false,
        });
        ts = res.ts;
        if (item.ref && res.channel && ts) {
          await deps.db
            .insert(slackMessages)
            .values({ ref: item.ref, channel: res.channel, ts })
            .onConflictDoUpdate({
              target: slackMessages.ref,
              set: { channel: res.channel, ts, updatedAt: now },
            });
        }
        break;
      }
      case "reply":
      case "update": {
        const [parent] = await deps.db.select().from(slackMessages).where(eq(slackMessages.ref, item.ref!));
        if (!parent) throw new RetryLater(`message ${item.ref} is not posted yet`);
        if (item.op === "update") {
          const newer = await deps.db
            .select({ id: outbox.id })
            .from(outbox)
            .where(
              and(
                eq(outbox.ref, item.ref!),
                eq(outbox.op, "update"),
                gt(outbox.id, item.id),
                inArray(outbox.status, ["pending", "sent"]),
              ),
            )
            .limit(1);
          if (newer.length) {
            await markDone(deps, item, "superseded");
            return "superseded";
          }
          await leanCall(deps.slack, "chat.update", { channel: parent.channel, ts: parent.ts, ...message });
          ts = parent.ts;
        } else {
          const res = await leanCall<ChatPostMessageResponse>(deps.slack, "chat.postMessage", {
            channel: parent.channel,
            thread_ts: parent.ts,
            ...message,
            ...(payload.reply_broadcast ? { reply_broadcast: true } : {}),
            unfurl_links: false,
          });
          ts = res.ts;
        }
        break;
      }
      case "dm": {
        if (payload.workingHours) {
          const at = nextWorkingMoment(await userTimeZone(deps, item.target!));
          if (at.getTime() > now.getTime() + 1000) {
            await deps.db.update(outbox).set({ deliverAfter: at }).where(eq(outbox.id, item.id));
            return { deferUntil: at };
          }
        }
        ts = await postDm(deps, item.target!, message);
        break;
      }
      default:
        throw new Error(`unknown outbox op ${item.op}`);
    }
    await markSent(item, ts);
    return "sent";
  } catch (err) {
    const code = platformError(err);
    if (code && PERMANENT.has(code)) {
      await deps.db
        .update(outbox)
        .set({
          status: "dead",
          lastError: code,
          attempts: item.attempts + 1,
          deliverAfter: item.deliverAfter,
        })
        .where(eq(outbox.id, item.id));
      deps.logger.error(
        { outboxId: item.id, op: item.op, error: code },
        "Slack refused a message permanently",
      );
      return "dead";
    }
    await releaseOutbox(deps.db, item, String((err as Error).message));
    throw err;
  }
}

/** A DM on the known channel; one that Slack no longer accepts is opened afresh, once. */
async function postDm(
  deps: Deps,
  user: string,
  message: { text: string; blocks?: never },
): Promise<string | undefined> {
  const { channel, known } = await dmChannel(deps.slack, user);
  try {
    const res = await leanCall<ChatPostMessageResponse>(deps.slack, "chat.postMessage", {
      channel,
      ...message,
      unfurl_links: false,
    });
    return res.ts;
  } catch (err) {
    if (!known || !STALE_DM.has(platformError(err) ?? "")) throw err;
    forgetDmChannel(deps.slack, user);
    return postDm(deps, user, message);
  }
}

const STALE_DM = new Set(["channel_not_found", "is_archived"]);

function platformError(err: unknown): string | null {
  const e = err as WebAPIPlatformError;
  return e.code === SlackErrorCode.PlatformError ? e.data.error : null;
}

async function markDone(
  deps: Deps,
  item: OutboxRow,
  status: "sent" | "superseded",
  ts?: string,
): Promise<void> {
  await deps.db
    .update(outbox)
    .set({ status, sentAt: deps.now(), resultTs: ts ?? null, deliverAfter: item.deliverAfter })
    .where(and(eq(outbox.id, item.id), stillPending(outbox.status)));
}

/** The recipient's Slack time zone, cached for a day. */
export async function userTimeZone(deps: Deps, userId: string): Promise<string | null> {
  const [cached] = await deps.db.select().from(slackUsers).where(eq(slackUsers.userId, userId));
  if (cached && deps.now().getTime() - cached.fetchedAt.getTime() < 86_400_000) return cached.tz;
  try {
    const res = await deps.slack.users.info({ user: userId });
    const tz = res.user?.tz ?? null;
    await deps.db
      .insert(slackUsers)
      .values({ userId, tz, fetchedAt: deps.now() })
      .onConflictDoUpdate({ target: slackUsers.userId, set: { tz, fetchedAt: deps.now() } });
    return tz;
  } catch {
    return cached?.tz ?? null;
  }
}
