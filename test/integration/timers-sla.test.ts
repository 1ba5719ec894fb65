import { eq } from "drizzle-orm";
import { DateTime } from "luxon";
import { timerJobId, windowEnd } from "../../src/jobs/timers.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adrs, votes } from "../../src/db/schema/index.ts";
import { enqueueOutbox } from "../../src/services/effects.ts";
import { inTransaction } from "../../src/services/run.ts";
import { cancelSlaTimers, scheduleSlaTimers } from "../../src/services/timers/sla.ts";
import { adrInReview } from "../support/adr-fixtures.ts";
import { CHANNELS, PEOPLE, startTestApp, type TestApp, testGovernorYaml } from "../support/app.ts";
import { click, requestMessage } from "../support/approval.ts";
import {
  auditTypes,
  deadlinesOf,
  dmsTo,
  insertAdr,
  outboxTo,
  postsWith,
  shiftedClock,
  sleep,
  until,
} from "../support/timers.ts";

const NIGHT_OWL = "UNZOWL0001"; // Pacific/Auckland: 22:00 there when the app's clock says 10:00 UTC
let t: TestApp;
const now = shiftedClock();

beforeAll(async () => {
  t = await startTestApp({
    now,
    yaml: testGovernorYaml({ sla: { tier1: "PT6S", tier2: "PT1H", tier3: "PT3S" } }),
  });
  t.fake.addUser({ id: NIGHT_OWL, name: "owl", tz: "Pacific/Auckland", tz_offset: 43_200 });
});
afterAll(async () => {
  await t?.close();
});

const deps = () => t.governor.deps;
const tag = (adrId: number) => `ADR #${adrId},`;

async function startClock(adrId: number, tier: 1 | 2 | 3 | 4) {
  return inTransaction(deps(), (tx, fx) =>
    scheduleSlaTimers(tx, fx, deps(), { adrId, tier, startedAt: now() }),
  );
}

async function postRequest(adrId: number) {
  await inTransaction(deps(), (tx, fx) =>
    enqueueOutbox(tx, fx, {
      op: "post",
      channel: CHANNELS.committee,
      ref: `adr-${adrId}`,
      message: { text: `request ${adrId}` },
    }),
  );
  const [post] = await t.fake.waitFor(
    (c) => c.method === "chat.postMessage" && c.args.text === `request ${adrId}`,
  );
  return String(post!.response.ts);
}

describe("SLA reminders and escalation", () => {
  it("reminds only those who have not voted at 50% and 90%, then escalates to the chair in the request's thread", async () => {
    const { adrId, agentId } = await insertAdr(deps().db, { tier: 3 });
    const parentTs = await postRequest(adrId);
    await deps()
      .db.insert(votes)
      .values({ adrId, voter: PEOPLE.engineering, role: "engineering", choice: "approve", contentHash: "h" });
    const due = await startClock(adrId, 3);
    expect(due.getTime() - now().getTime()).toBeGreaterThan(2500);
    const keys = (await deadlinesOf(deps().db, "adr", adrId)).map((d) => d.key);
    expect(keys).toEqual([`adr-${adrId}-sla-50`, `adr-${adrId}-sla-90`, `adr-${adrId}-sla-breach`]);

    const [breach] = await t.fake.waitFor(
      (c) => c.method === "chat.postMessage" && String(c.args.text).includes("SLA for"),
      { timeoutMs: 15_000 },
    );
    await until(() => dmsTo(t.fake, PEOPLE.chair, tag(adrId)).length >= 2);
    await sleep(800); // anything extra would have arrived by now
    for (const user of [PEOPLE.chair, PEOPLE.coChair, PEOPLE.business, PEOPLE.ethics]) {
      const texts = dmsTo(t.fake, user, tag(adrId)).map((c) => String(c.args.text));
      expect(texts, user).toHaveLength(2);
      expect(texts[0]).toContain("50%");
      expect(texts[1]).toContain("90%");
    }
    expect(dmsTo(t.fake, PEOPLE.engineering, tag(adrId))).toHaveLength(0);
    expect(dmsTo(t.fake, PEOPLE.requester, tag(adrId))).toHaveLength(0);

    expect(breach!.args.thread_ts).toBe(parentTs);
    expect(String(breach!.args.text)).toContain(`<@${PEOPLE.chair}>`);
    expect(String(breach!.args.text)).not.toContain(`<@${PEOPLE.engineering}>`);
    expect(postsWith(t.fake, tag(adrId))).toHaveLength(1);
    const [row] = await deps().db.select().from(adrs).where(eq(adrs.id, adrId));
    expect(row!.overdue).toBe(true);
    expect(row!.slaDueAt?.getTime()).toBe(due.getTime());
    expect((await auditTypes(deps().db, agentId)).filter((e) => e.startsWith("sla_"))).toEqual([
      "sla_reminder_sent",
      "sla_reminder_sent",
      "sla_breached",
    ]);
    // Reminders wait for working hours; the escalation does not.
    const dmRows = (await outboxTo(deps().db, PEOPLE.chair)).filter((o) =>
      String((o.payload as { text: string }).text).includes(tag(adrId)),
    );
    expect(dmRows.map((o) => (o.payload as { workingHours?: boolean }).workingHours)).toEqual([true, true]);
  });

  it("a decision before the first reminder cancels every timer: nothing is sent", async () => {
    const { adrId } = await insertAdr(deps().db, { tier: 3 });
    await startClock(adrId, 3);
    await inTransaction(deps(), async (tx, fx) => {
      await tx.update(adrs).set({ status: "approved" }).where(eq(adrs.id, adrId));
      await cancelSlaTimers(tx, fx, adrId);
    });
    const rows = await deadlinesOf(deps().db, "adr", adrId);
    expect(rows.map((d) => d.status)).toEqual(["cancelled", "cancelled", "cancelled"]);
    // Their timers went with them (no other deadline shares their windows).
    for (const d of rows)
      expect(await deps().jobs.queue.getJob(timerJobId(windowEnd(d.dueAt)))).toBeUndefined();
    await sleep(3600);
    expect(t.fake.calls.filter((c) => String(c.args.text ?? "").includes(tag(adrId)))).toHaveLength(0);
  });

  it("a timer that fires after the ADR moved on does nothing", async () => {
    const { adrId, agentId } = await insertAdr(deps().db, { tier: 1 });
    await startClock(adrId, 1);
    await deps().db.update(adrs).set({ status: "withdrawn" }).where(eq(adrs.id, adrId));
    await until(
      async () => (await deadlinesOf(deps().db, "adr", adrId)).every((d) => d.status === "fired"),
      10_000,
    );
    await sleep(300);
    expect(t.fake.calls.filter((c) => String(c.args.text ?? "").includes(tag(adrId)))).toHaveLength(0);
    const [row] = await deps().db.select().from(adrs).where(eq(adrs.id, adrId));
    expect(row!.overdue).toBe(false);
    expect(await auditTypes(deps().db, agentId)).toEqual([]);
  });

  it("a tier raise reschedules under new keys; scheduling the same clock twice is a no-op", async () => {
    const { adrId } = await insertAdr(deps().db, { tier: 2 });
    const first = await startClock(adrId, 2);
    expect(first.getTime() - now().getTime()).toBeGreaterThan(3_500_000);
    const started = new Date(first.getTime() - 3_600_000);
    const again = await inTransaction(deps(), (tx, fx) =>
      scheduleSlaTimers(tx, fx, deps(), { adrId, tier: 2, startedAt: started }),
    );
    expect(again).toEqual(first);
    expect(await deadlinesOf(deps().db, "adr", adrId)).toHaveLength(3);

    await inTransaction(deps(), async (tx, fx) => {
      await tx.update(adrs).set({ tier: 3 }).where(eq(adrs.id, adrId));
      await cancelSlaTimers(tx, fx, adrId);
      await scheduleSlaTimers(tx, fx, deps(), { adrId, tier: 3, startedAt: now() });
    });
    const rows = await deadlinesOf(deps().db, "adr", adrId);
    expect(rows.map((d) => `${d.key} ${d.status}`)).toEqual([
      `adr-${adrId}-sla-50 cancelled`,
      `adr-${adrId}-sla-90 cancelled`,
      `adr-${adrId}-sla-breach cancelled`,
      `adr-${adrId}-g1-sla-50 pending`,
      `adr-${adrId}-g1-sla-90 pending`,
      `adr-${adrId}-g1-sla-breach pending`,
    ]);
    await t.fake.waitFor(
      (c) => String(c.args.text ?? "").includes(`SLA for`) && String(c.args.text).includes(tag(adrId)),
      { timeoutMs: 15_000 },
    );
    // No request message was ever posted: the escalation goes to the committee channel.
    const [breach] = postsWith(t.fake, tag(adrId));
    expect(breach!.args.channel).toBe(CHANNELS.committee);
    expect(breach!.args.thread_ts).toBeUndefined();
    expect(dmsTo(t.fake, PEOPLE.chair, tag(adrId))).toHaveLength(2);
  });

  it("a reminder to someone whose night it is waits for their morning; the breach escalation goes out at once", async () => {
    const { adrId } = await insertAdr(deps().db, { tier: 1, technicalOwner: NIGHT_OWL });
    await startClock(adrId, 1);
    await t.fake.waitFor(
      (c) => String(c.args.text ?? "").includes(tag(adrId)) && String(c.args.text).includes("SLA for"),
      { timeoutMs: 15_000 },
    );
    await until(
      async () => (await outboxTo(deps().db, NIGHT_OWL)).filter((o) => o.deliverAfter > now()).length === 2,
    );
    const rows = await outboxTo(deps().db, NIGHT_OWL);
    // Wednesday ~22:00 or 23:00 in Auckland ⇒ Thursday 09:00 there.
    const morning = DateTime.fromJSDate(now(), { zone: "Pacific/Auckland" })
      .plus({ days: 1 })
      .set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
    expect(morning.weekday).toBe(4);
    expect(rows.map((r) => [r.status, r.deliverAfter.toISOString()])).toEqual([
      ["pending", morning.toUTC().toISO()],
      ["pending", morning.toUTC().toISO()],
    ]);
    expect(dmsTo(t.fake, NIGHT_OWL, "")).toHaveLength(0);
    // The delivery job sleeps in Redis until then (no polling, no early send).
    for (const r of rows)
      expect(await (await deps().jobs.queue.getJob(`outbox-${r.id}`))?.getState()).toBe("delayed");
  });
});

describe("the SLA clock of a request filed through intake and approval", () => {
  it("reminds the technical owner, then escalates in the request's own thread", async () => {
    const { adrId } = await adrInReview(t, { tier: 1 });
    const request = await requestMessage(t, adrId);
    const [breach] = await t.fake.waitFor(
      (c) =>
        c.method === "chat.postMessage" && String(c.args.text).includes(`${tag(adrId)} tier 1) was breached`),
      { timeoutMs: 15_000 },
    );
    expect(breach!.args).toMatchObject({ channel: request.channel, thread_ts: request.ts });
    expect(
      dmsTo(t.fake, PEOPLE.techOwner, tag(adrId)).map((c) => String(c.args.text).match(/\d+%/)?.[0]),
    ).toEqual(["50%", "90%"]);
  });

  it("a decision by the technical owner stops the clock: no reminder follows", async () => {
    const { adrId } = await adrInReview(t, { tier: 1 });
    await click(t, PEOPLE.techOwner, "approve", adrId);
    await until(
      async () => (await deps().db.select().from(adrs).where(eq(adrs.id, adrId)))[0]?.status === "approved",
    );
    const [row] = await deps().db.select().from(adrs).where(eq(adrs.id, adrId));
    // Decided well before the 50% point (3 s), so every timer was still pending.
    expect(row!.decidedAt!.getTime() - row!.reviewStartedAt!.getTime()).toBeLessThan(3000);
    expect((await deadlinesOf(deps().db, "adr", adrId)).map((d) => d.status)).toEqual([
      "cancelled",
      "cancelled",
      "cancelled",
    ]);
    await sleep(6500 - (now().getTime() - row!.reviewStartedAt!.getTime()));
    expect(dmsTo(t.fake, PEOPLE.techOwner, tag(adrId))).toHaveLength(0);
    expect(
      postsWith(t.fake, tag(adrId)).filter((c) => String(c.args.text).includes("breached")),
    ).toHaveLength(0);
  });
});
