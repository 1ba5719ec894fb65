import { and, eq } from "drizzle-orm";
import type { Db } from "../../src/db/client.ts";
import { adrs, agents, auditEntries, deadlines, outbox } from "../../src/db/schema/index.ts";
import type { FakeSlack, FakeSlackCall } from "../fakes/slack-api.ts";
import { PEOPLE } from "./app.ts";

/**
 * Helpers for the timer tests. The clock is real time shifted so that the
 * app believes it is a Wednesday 10:00 UTC (in the future, so rows stamped
 * with Postgres' now() are never "later" than the app's clock) when the file
 * starts: working-hours reminders to UTC users then go out at once, whatever
 * day the tests really run on, and BullMQ delays (relative) stay exact.
 */
export function nextWednesdayTen(from = Date.now()): number {
  const d = new Date(from + 86_400_000);
  d.setUTCHours(10, 0, 0, 0);
  while (d.getUTCDay() !== 3) d.setUTCDate(d.getUTCDate() + 1);
  return d.getTime();
}

export function shiftedClock(epoch = nextWednesdayTen()): () => Date {
  const offset = epoch - Date.now();
  return () => new Date(Date.now() + offset);
}

let seq = 0;
/** An agent and its ADR inserted directly (the intake services are tested elsewhere). */
export async function insertAdr(
  db: Db,
  opts: {
    tier: 1 | 2 | 3 | 4;
    status?: string;
    requester?: string;
    technicalOwner?: string;
    businessOwner?: string;
    agentStatus?: string;
    name?: string;
  },
): Promise<{ agentId: number; adrId: number; name: string }> {
  seq += 1;
  const name = opts.name ?? `Timer Agent ${process.pid}-${seq}-${Math.random().toString(36).slice(2, 6)}`;
  const [agent] = await db
    .insert(agents)
    .values({
      name,
      nameKey: name.toLowerCase(),
      status: opts.agentStatus ?? "proposed",
      businessOwner: opts.businessOwner ?? PEOPLE.requester,
      technicalOwner: opts.technicalOwner ?? PEOPLE.techOwner,
      riskTier: opts.tier,
    })
    .returning({ id: agents.id });
  const [adr] = await db
    .insert(adrs)
    .values({
      agentId: agent!.id,
      version: 1,
      status: opts.status ?? "in_review",
      content: { agent_metadata: { name } },
      contentHash: `hash-${name}`,
      computedTier: opts.tier,
      tier: opts.tier,
      score: 0,
      tierReasons: [],
      requester: opts.requester ?? PEOPLE.requester,
      submissionKey: `sub-${name}`,
    })
    .returning({ id: adrs.id });
  await db.update(agents).set({ currentAdrId: adr!.id }).where(eq(agents.id, agent!.id));
  return { agentId: agent!.id, adrId: adr!.id, name };
}

export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Slack messages posted (successfully) into the DM with `user` whose text contains `needle`. */
export function dmsTo(fake: FakeSlack, user: string, needle: string): FakeSlackCall[] {
  return fake.calls.filter(
    (c) =>
      c.method === "chat.postMessage" &&
      c.ok &&
      c.args.channel === `D${user}` &&
      String(c.args.text).includes(needle),
  );
}

/** Successful channel posts (any thread) whose text contains `needle`. */
export function postsWith(fake: FakeSlack, needle: string): FakeSlackCall[] {
  return fake.calls.filter(
    (c) =>
      c.method === "chat.postMessage" &&
      c.ok &&
      !String(c.args.channel).startsWith("D") &&
      String(c.args.text).includes(needle),
  );
}

export async function deadlinesOf(db: Db, subjectType: string, subjectId: number) {
  return db
    .select()
    .from(deadlines)
    .where(and(eq(deadlines.subjectType, subjectType), eq(deadlines.subjectId, String(subjectId))))
    .orderBy(deadlines.id);
}

export async function auditTypes(db: Db, agentId: number): Promise<string[]> {
  const rows = await db
    .select({ type: auditEntries.eventType })
    .from(auditEntries)
    .where(eq(auditEntries.agentId, agentId))
    .orderBy(auditEntries.id);
  return rows.map((r) => r.type);
}

export async function outboxTo(db: Db, target: string) {
  return db.select().from(outbox).where(eq(outbox.target, target)).orderBy(outbox.id);
}

export { deleteQueueKeys } from "./queue-keys.ts";
