import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adrs, agentReviews, remediationItems } from "../../src/db/schema/index.ts";
import { postWeeklyDigest } from "../../src/services/digest/weekly.ts";
import { rescheduleDeadline } from "../../src/services/effects.ts";
import { inTransaction } from "../../src/services/run.ts";
import { scheduleRemediationTimers } from "../../src/services/timers/remediation.ts";
import { CHANNELS, PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import {
  auditTypes,
  deadlinesOf,
  dmsTo,
  insertAdr,
  outboxTo,
  shiftedClock,
  sleep,
  until,
} from "../support/timers.ts";

let t: TestApp;
const now = shiftedClock();
const DAY = 86_400_000;
beforeAll(async () => {
  t = await startTestApp({ now });
});
afterAll(async () => {
  await t?.close();
});
const deps = () => t.governor.deps;
const owner = PEOPLE.steward;

async function trackedItem(deadline: Date, opts: { status?: string; source?: string } = {}) {
  const { adrId, agentId, name } = await insertAdr(deps().db, { tier: 3, status: "conditional" });
  const description = `Rotate keys for ${name}`;
  const [item] = await deps()
    .db.insert(remediationItems)
    .values({
      source: opts.source ?? "adr_condition",
      adrId,
      agentId,
      description,
      owner,
      deadline,
      status: opts.status ?? "open",
    })
    .returning();
  await inTransaction(deps(), (tx, fx) =>
    scheduleRemediationTimers(tx, fx, deps(), { itemId: item!.id, owner, deadline }),
  );
  return { item: item!, agentId, adrId, name, description };
}

describe("deadlines of conditions and remediation actions", () => {
  it("reminds the owner 3 days before and on the day, with the Mark done button", async () => {
    const { item, description } = await trackedItem(new Date(now().getTime() + 5 * DAY));
    const rows = await deadlinesOf(deps().db, "remediation_item", item.id);
    expect(rows.map((d) => [d.key, d.kind])).toEqual([
      [`remediation-${item.id}-reminder-early`, "remediation_reminder"],
      [`remediation-${item.id}-reminder-day`, "remediation_reminder"],
      [`remediation-${item.id}-overdue`, "remediation_overdue"],
    ]);
    expect(rows[0]!.dueAt.getTime()).toBe(item.deadline.getTime() - 3 * DAY);
    await inTransaction(deps(), (tx, fx) => rescheduleDeadline(tx, fx, rows[0]!.key, now()));
    await until(() => dmsTo(t.fake, owner, "Reminder: Condition").length === 1);
    const [dm] = dmsTo(t.fake, owner, "Reminder: Condition");
    expect(JSON.stringify(dm!.args.blocks)).toContain(description);
    const buttons = (
      dm!.args.blocks as { type: string; elements?: { action_id?: string; value?: string }[] }[]
    )
      .filter((b) => b.type === "actions")
      .flatMap((b) => b.elements ?? []);
    expect(buttons).toEqual([
      expect.objectContaining({ action_id: "approval_condition_done", value: `item-${item.id}` }),
    ]);
    const queued = (await outboxTo(deps().db, owner)).filter((o) =>
      JSON.stringify(o.payload).includes(description),
    );
    expect(queued.map((o) => (o.payload as { workingHours?: boolean }).workingHours)).toEqual([true]);
  });

  it("escalates to the chair at once when overdue, and audits it", async () => {
    const { item, agentId, description } = await trackedItem(new Date(now().getTime() + 2500));
    expect((await deadlinesOf(deps().db, "remediation_item", item.id)).map((d) => d.kind)).toEqual([
      "remediation_overdue",
    ]);
    await until(
      () =>
        dmsTo(t.fake, PEOPLE.chair, "is overdue").some((c) => JSON.stringify(c.args).includes(description)),
      10_000,
    );
    expect(await auditTypes(deps().db, agentId)).toEqual(["condition_overdue"]);
    const queued = (await outboxTo(deps().db, PEOPLE.chair)).filter((o) =>
      JSON.stringify(o.payload).includes(description),
    );
    expect((queued[0]!.payload as { workingHours?: boolean }).workingHours).toBeUndefined();
  });

  it("does nothing for an item already done", async () => {
    const { item, agentId, description } = await trackedItem(new Date(now().getTime() + 5 * DAY));
    await deps().db.update(remediationItems).set({ status: "done" }).where(eq(remediationItems.id, item.id));
    await inTransaction(deps(), (tx, fx) =>
      rescheduleDeadline(tx, fx, `remediation-${item.id}-overdue`, now()),
    );
    await until(async () =>
      (await deadlinesOf(deps().db, "remediation_item", item.id)).some((d) => d.status === "fired"),
    );
    await sleep(300);
    expect(t.fake.calls.filter((c) => JSON.stringify(c.args).includes(description))).toHaveLength(0);
    expect(await auditTypes(deps().db, agentId)).toEqual([]);
  });
});

describe("the weekly committee digest", () => {
  it("lists pending requests with their SLA, what is overdue and the reviews of the next 14 days, once a week", async () => {
    const at = (days: number) => new Date(now().getTime() + days * DAY);
    const late = await insertAdr(deps().db, { tier: 3, name: "Late Bot <!here>" });
    await deps()
      .db.update(adrs)
      .set({ slaDueAt: at(-0.1), overdue: true })
      .where(eq(adrs.id, late.adrId));
    const onTime = await insertAdr(deps().db, { tier: 2, name: "Punctual Bot" });
    await deps()
      .db.update(adrs)
      .set({ slaDueAt: at(2) })
      .where(eq(adrs.id, onTime.adrId));
    await insertAdr(deps().db, { tier: 1, name: "Assessing Bot", status: "awaiting_security_assessment" });
    await insertAdr(deps().db, { tier: 1, name: "Decided Bot", status: "approved" });
    const overdueItem = await trackedItem(at(-2));
    const doneItem = await trackedItem(at(-2), { status: "done" });
    const reviewed = async (name: string, dueInDays: number, status = "scheduled") => {
      const { agentId } = await insertAdr(deps().db, {
        tier: 3,
        name,
        status: "approved",
        agentStatus: "deployed",
      });
      await deps()
        .db.insert(agentReviews)
        .values({ agentId, kind: "periodic", dueAt: at(dueInDays), status });
    };
    await reviewed("Overdue Review Bot", -3);
    await reviewed("Soon Review Bot", 5);
    await reviewed("Later Review Bot", 40);
    await reviewed("Done Review Bot", -10, "completed");

    await postWeeklyDigest(deps());
    await postWeeklyDigest(deps()); // a retried job
    const [post] = await t.fake.waitFor(
      (c) => c.method === "chat.postMessage" && String(c.args.text).startsWith("Weekly governance digest"),
    );
    await sleep(500);
    const posts = t.fake.calls.filter(
      (c) => c.method === "chat.postMessage" && String(c.args.text).startsWith("Weekly governance digest"),
    );
    expect(posts).toHaveLength(1);
    expect(post!.ok).toBe(true);
    expect(post!.args.channel).toBe(CHANNELS.committee);
    const sections = (post!.args.blocks as { type: string; text?: { text: string } }[])
      .filter((b) => b.type === "section")
      .map((b) => b.text!.text);
    const section = (title: string) => sections.find((s) => s.includes(title)) ?? "";
    const pending = section("Pending requests");
    expect(pending).toMatch(/OVERDUE.*Late Bot &lt;!here&gt;/);
    expect(pending).toContain(`ADR #${onTime.adrId}, tier 2`);
    expect(pending).toContain("Assessing Bot");
    expect(pending).toContain("waiting for the security self-assessment");
    expect(pending).not.toContain("Decided Bot");
    expect(pending).not.toContain("<!here>");
    expect(pending.indexOf("Late Bot")).toBeLessThan(pending.indexOf("Punctual Bot"));
    const overdue = section("Overdue conditions");
    expect(overdue).toContain(overdueItem.description);
    expect(overdue).not.toContain(doneItem.description);
    expect(section("Overdue reviews")).toContain("Overdue Review Bot");
    expect(section("Overdue reviews")).not.toContain("Done Review Bot");
    const upcoming = section("Reviews due in the next 14 days");
    expect(upcoming).toContain("Soon Review Bot");
    expect(upcoming).not.toContain("Later Review Bot");
    expect(t.fake.violations).toEqual([]);
  });
});
