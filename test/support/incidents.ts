/** Helpers for the incident e2e tests: declare through Slack, find the page, click its controls, read state. */
import { and, eq, sql } from "drizzle-orm";
import {
  auditEntries,
  deadlines,
  emergencyQuorums,
  incidents,
  outbox,
  slackMessages,
} from "../../src/db/schema/index.ts";
import { DECLARE_FIELDS, INPUT_ACTION, incidentValue } from "../../src/slack/ids/incident.ts";
import type { FakeSlackCall } from "../fakes/slack-api.ts";
import type { TestApp } from "./app.ts";
import { until } from "./approval.ts";
import { radio, type SimResponse, select, stateValues } from "./slack-requests.ts";

/** One polling helper for every test (defined with the approval helpers). */
export { until };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function declareValues(o: { agentId: number; severity: string; summary: string; observed?: string }) {
  return stateValues({
    [DECLARE_FIELDS.agent]: { [INPUT_ACTION]: select(String(o.agentId)) },
    [DECLARE_FIELDS.severity]: { [INPUT_ACTION]: radio(o.severity) },
    [DECLARE_FIELDS.summary]: { [INPUT_ACTION]: o.summary },
    [DECLARE_FIELDS.observed]: { [INPUT_ACTION]: o.observed ?? "" },
  });
}

/**
 * The modal a click or command opened: "Loading…" first (views.open on its
 * trigger), then the real view in its place (views.update). Returns the
 * view's id and what it was filled with.
 */
export async function filledModal(
  t: TestApp,
  triggerId: string | undefined,
): Promise<{ viewId: string; view: Record<string, unknown> }> {
  const [opened] = await t.fake.waitFor((c) => c.method === "views.open" && c.args.trigger_id === triggerId);
  if (!opened?.ok) throw new Error(`views.open failed: ${opened?.error}`);
  const viewId = String((opened.response.view as { id: string }).id);
  const [filled] = await t.fake.waitFor((c) => c.method === "views.update" && c.args.view_id === viewId);
  if (!filled?.ok) throw new Error(`views.update failed: ${filled?.error}`);
  return { viewId, view: filled.args.view as Record<string, unknown> };
}

/** `/agent-incident`, then the modal it opened; returns the opened view's id. */
export async function openDeclareModal(t: TestApp, userId: string, text = ""): Promise<string> {
  const res = await t.slack.slashCommand("/agent-incident", text, { userId });
  if (res.status !== 200) throw new Error(`slash command answered ${res.status}`);
  return (await filledModal(t, res.triggerId)).viewId;
}

/** Declares through Slack: the command, the modal, its submission. */
export async function declareViaSlack(
  t: TestApp,
  userId: string,
  o: { agentId: number; severity: string; summary: string; observed?: string },
): Promise<{ res: SimResponse; incidentId: number | null; viewId: string }> {
  const viewId = await openDeclareModal(t, userId);
  const res = await t.slack.viewSubmission({ userId, viewId, values: declareValues(o) });
  const [row] = await t.governor.deps.db
    .select({ id: incidents.id })
    .from(incidents)
    .where(eq(incidents.submissionKey, `slack-view-${viewId}`));
  return { res, incidentId: row?.id ?? null, viewId };
}

/** The page's message in the on-call channel, once posted. */
export async function pageMessage(t: TestApp, incidentId: number): Promise<{ channel: string; ts: string }> {
  return until(`page of incident ${incidentId}`, async () => {
    const [row] = await t.governor.deps.db
      .select()
      .from(slackMessages)
      .where(eq(slackMessages.ref, `incident-${incidentId}`));
    return row ? { channel: row.channel, ts: row.ts } : undefined;
  });
}

export async function quorumMessage(t: TestApp, quorumId: number): Promise<{ channel: string; ts: string }> {
  return until(`poll of quorum ${quorumId}`, async () => {
    const [row] = await t.governor.deps.db
      .select()
      .from(slackMessages)
      .where(eq(slackMessages.ref, `quorum-${quorumId}`));
    return row ? { channel: row.channel, ts: row.ts } : undefined;
  });
}

/** A button on the page, as Slack sends the click. */
export async function clickPage(t: TestApp, userId: string, actionId: string, incidentId: number) {
  const message = await pageMessage(t, incidentId);
  return t.slack.blockAction({ userId, actionId, value: incidentValue(incidentId), message });
}

export const isPost = (channel: string) => (c: FakeSlackCall) =>
  c.method === "chat.postMessage" && c.args.channel === channel && c.ok;

/** Replies posted in a thread (by the app, as the fake recorded them). */
export function threadReplies(t: TestApp, ts: string): FakeSlackCall[] {
  return t.fake.calls.filter((c) => c.method === "chat.postMessage" && c.args.thread_ts === ts && c.ok);
}

export async function incidentRow(t: TestApp, id: number) {
  const [row] = await t.governor.deps.db.select().from(incidents).where(eq(incidents.id, id));
  return row!;
}

export async function quorumOf(t: TestApp, incidentId: number) {
  const [row] = await t.governor.deps.db
    .select()
    .from(emergencyQuorums)
    .where(eq(emergencyQuorums.incidentId, incidentId));
  return row ?? null;
}

/** Audit entries of one type about one incident. */
export async function auditOf(t: TestApp, type: string, incidentId: number) {
  return t.governor.deps.db
    .select()
    .from(auditEntries)
    .where(
      and(eq(auditEntries.eventType, type), sql`${auditEntries.data}->>'incidentId' = ${String(incidentId)}`),
    );
}

export async function deadlinesOf(t: TestApp, subjectType: string, subjectId: number) {
  return t.governor.deps.db
    .select()
    .from(deadlines)
    .where(and(eq(deadlines.subjectType, subjectType), eq(deadlines.subjectId, String(subjectId))));
}

export async function outboxCount(t: TestApp): Promise<number> {
  const [row] = await t.governor.deps.db.select({ n: sql<number>`count(*)::int` }).from(outbox);
  return row?.n ?? 0;
}

/** All block texts of a message, joined, for "mentions X" assertions. */
export function textOf(call: FakeSlackCall): string {
  return `${String(call.args.text ?? "")}\n${JSON.stringify(call.args.blocks ?? [])}`;
}
