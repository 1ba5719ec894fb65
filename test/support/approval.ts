/** Helpers for the approval e2e tests: find the request message, click its buttons, read the trail. */
import { and, eq, sql } from "drizzle-orm";
import { adrs, agents, auditEntries, outbox, slackMessages, votes } from "../../src/db/schema/index.ts";
import { APPROVAL_ACTIONS } from "../../src/slack/ids/approval.ts";
import type { FakeSlackCall } from "../fakes/slack-api.ts";
import type { TestApp } from "./app.ts";
import type { SendOptions, SimResponse } from "./slack-requests.ts";
import type { StateValues } from "./slack-values.ts";

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 8000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The request's message in the committee channel, once the outbox has posted it. */
export async function requestMessage(t: TestApp, adrId: number): Promise<{ channel: string; ts: string }> {
  return until(`request message of ADR-${adrId}`, async () => {
    const [row] = await t.governor.deps.db
      .select()
      .from(slackMessages)
      .where(eq(slackMessages.ref, `adr-${adrId}`));
    return row ? { channel: row.channel, ts: row.ts } : undefined;
  });
}

export type Button = keyof typeof APPROVAL_ACTIONS;

/** A click on one of the request message's buttons, as Slack sends it. */
export async function click(
  t: TestApp,
  user: string,
  button: Button,
  adrId: number,
  send: SendOptions = {},
  blockId = `adr-${adrId}-actions`,
): Promise<SimResponse> {
  const message = await requestMessage(t, adrId);
  return t.slack.blockAction(
    { userId: user, actionId: APPROVAL_ACTIONS[button], value: `adr-${adrId}`, blockId, message },
    send,
  );
}

/** Clicks a button that opens a modal and submits the modal with `values`. */
export async function submitModal(
  t: TestApp,
  user: string,
  button: Button,
  adrId: number,
  values: StateValues,
): Promise<SimResponse> {
  const before = t.fake.callsTo("views.open").length;
  await click(t, user, button, adrId);
  const [opened] = (await t.fake.waitFor("views.open", { count: before + 1 })).slice(before);
  const viewId = String((opened!.response.view as { id: string }).id);
  return t.slack.viewSubmission({ userId: user, viewId, values });
}

export async function adrRow(t: TestApp, adrId: number) {
  const [row] = await t.governor.deps.db.select().from(adrs).where(eq(adrs.id, adrId));
  return row!;
}

export async function agentRow(t: TestApp, agentId: number) {
  const [row] = await t.governor.deps.db.select().from(agents).where(eq(agents.id, agentId));
  return row!;
}

export async function votesOn(t: TestApp, adrId: number) {
  return t.governor.deps.db.select().from(votes).where(eq(votes.adrId, adrId));
}

/** Audit entries of one type about one ADR. */
export async function auditFor(t: TestApp, type: string, adrId: number) {
  return t.governor.deps.db
    .select()
    .from(auditEntries)
    .where(and(eq(auditEntries.eventType, type), sql`${auditEntries.data}->>'adrId' = ${String(adrId)}`));
}

export const pseudonym = (t: TestApp, user: string) => t.governor.deps.audit.actorId({ slackUser: user });

/** Posts in the request's thread. */
export function threadPosts(t: TestApp, message: { ts: string }): FakeSlackCall[] {
  return t.fake.callsTo("chat.postMessage").filter((c) => c.ok && c.args.thread_ts === message.ts);
}

export function ephemeralsTo(t: TestApp, user: string): FakeSlackCall[] {
  return t.fake.callsTo("chat.postEphemeral").filter((c) => c.args.user === user);
}

/** DMs (the outbox posts to the channel conversations.open answered: D<user>). */
export function dmsTo(t: TestApp, user: string): FakeSlackCall[] {
  return t.fake.callsTo("chat.postMessage").filter((c) => c.ok && c.args.channel === `D${user}`);
}

export function blocksText(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

/** The request message as Slack now shows it. */
export async function shownRequest(t: TestApp, adrId: number) {
  const m = await requestMessage(t, adrId);
  return t.fake.getMessage(m.channel, m.ts)!;
}

export function hasButtons(blocks: unknown): boolean {
  return Array.isArray(blocks) && blocks.some((b) => (b as { type?: string }).type === "actions");
}

export function isoDate(daysFromNow: number): string {
  return new Date(Date.now() + daysFromNow * 86_400_000).toISOString().slice(0, 10);
}

/** Waits until the outbox has delivered everything queued so far. */
export async function outboxDrained(t: TestApp): Promise<void> {
  await until("outbox drained", async () => {
    const rows = await t.governor.deps.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(eq(outbox.status, "pending"));
    return rows.length === 0;
  });
}
