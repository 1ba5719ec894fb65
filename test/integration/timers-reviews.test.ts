import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentReviews, agents, agentTokens, remediationItems } from "../../src/db/schema/index.ts";
import { rescheduleDeadline } from "../../src/services/effects.ts";
import { inTransaction } from "../../src/services/run.ts";
import { scheduleNextReview } from "../../src/services/timers/reviews.ts";
import { CHANNELS, PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import { radio, stateValues, plain } from "../support/slack-requests.ts";
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
const { businessOwner, techOwner, chair, outsider } = {
  businessOwner: PEOPLE.requester,
  techOwner: PEOPLE.techOwner,
  chair: PEOPLE.chair,
  outsider: PEOPLE.outsider,
};

async function approvedAgent(tier: 1 | 2 | 3 | 4 = 3, status = "approved") {
  const { agentId, name } = await insertAdr(deps().db, { tier, status: "approved", agentStatus: status });
  const dueAt = await inTransaction(deps(), (tx, fx) =>
    scheduleNextReview(tx, fx, deps(), { agentId, tier, kind: "post_deployment", from: now() }),
  );
  const [review] = await deps().db.select().from(agentReviews).where(eq(agentReviews.agentId, agentId));
  return { agentId, name, dueAt, reviewId: review!.id };
}

const reviewsOf = (agentId: number) =>
  deps().db.select().from(agentReviews).where(eq(agentReviews.agentId, agentId)).orderBy(agentReviews.id);
const agentOf = async (agentId: number) =>
  (await deps().db.select().from(agents).where(eq(agents.id, agentId)))[0]!;
const fireNow = (key: string) => inTransaction(deps(), (tx, fx) => rescheduleDeadline(tx, fx, key, now()));
const ephemerals = (text: string) =>
  t.fake.callsTo("response_url").filter((c) => String(c.args.text).includes(text));

async function openReviewModal(userId: string, reviewId: number) {
  const before = t.fake.callsTo("views.open").length;
  await t.slack.blockAction({
    userId,
    actionId: "agent_review_start",
    value: `review-${reviewId}`,
    message: { ts: "1700000000.000100", channel: `D${userId}` },
  });
  const [open] = (await t.fake.waitFor("views.open", { count: before + 1 })).slice(before);
  return open!;
}

async function submitReview(userId: string, viewId: string, outcome: string, notes = "", conditions = "") {
  return t.slack.viewSubmission({
    userId,
    viewId,
    values: stateValues({
      "review.outcome": { value: radio(outcome) },
      "review.notes": { value: plain(notes) },
      "review.conditions": { value: plain(conditions) },
    }),
  });
}

describe("review scheduling and reminders", () => {
  it("schedules the review with its reminders and first escalation; the same schedule again is a no-op", async () => {
    const { agentId, dueAt, reviewId } = await approvedAgent(3);
    expect(dueAt.getTime() - now().getTime()).toBeGreaterThan(30 * DAY - 5000);
    const rows = await deadlinesOf(deps().db, "agent_review", reviewId);
    expect(rows.map((d) => [d.key, d.dueAt.getTime() - dueAt.getTime()])).toEqual([
      [`review-${reviewId}-reminder-early`, -14 * DAY],
      [`review-${reviewId}-reminder-due`, 0],
      [`review-${reviewId}-overdue-1`, DAY],
    ]);
    expect((await agentOf(agentId)).nextReviewDate).toEqual(dueAt);
    expect(await auditTypes(deps().db, agentId)).toEqual(["review_scheduled"]);
    const from = new Date(dueAt.getTime() - 30 * DAY);
    await inTransaction(deps(), (tx, fx) =>
      scheduleNextReview(tx, fx, deps(), { agentId, tier: 3, kind: "post_deployment", from }),
    );
    expect(await reviewsOf(agentId)).toHaveLength(1);
  });

  it("reminds both owners with a Start review button, in their working hours", async () => {
    const { name, reviewId } = await approvedAgent(2);
    await fireNow(`review-${reviewId}-reminder-early`);
    await until(
      () => dmsTo(t.fake, businessOwner, name).length === 1 && dmsTo(t.fake, techOwner, name).length === 1,
    );
    const [dm] = dmsTo(t.fake, techOwner, name);
    expect(String(dm!.args.text)).toContain("in two weeks");
    const buttons = (
      dm!.args.blocks as { type: string; elements?: { action_id?: string; value?: string }[] }[]
    )
      .filter((b) => b.type === "actions")
      .flatMap((b) => b.elements ?? []);
    expect(buttons).toEqual([
      expect.objectContaining({ action_id: "agent_review_start", value: `review-${reviewId}` }),
    ]);
    const rows = await outboxTo(deps().db, techOwner);
    expect(
      rows
        .filter((r) => JSON.stringify(r.payload).includes(name))
        .map((r) => (r.payload as { workingHours?: boolean }).workingHours),
    ).toEqual([true]);
  });

  it("escalates an overdue review to the chair at once and again a week later", async () => {
    const { agentId, name, reviewId } = await approvedAgent(4);
    await fireNow(`review-${reviewId}-overdue-1`);
    await until(() => dmsTo(t.fake, chair, name).length === 1);
    const chairRows = (await outboxTo(deps().db, chair)).filter((r) =>
      JSON.stringify(r.payload).includes(name),
    );
    expect((chairRows[0]!.payload as { workingHours?: boolean }).workingHours).toBeUndefined();
    const next = (await deadlinesOf(deps().db, "agent_review", reviewId)).find((d) =>
      d.key.endsWith("overdue-2"),
    );
    expect(next?.status).toBe("pending");
    expect(next!.dueAt.getTime() - now().getTime()).toBeGreaterThan(7 * DAY - 5000);
    expect(await auditTypes(deps().db, agentId)).toContain("review_overdue");
  });

  it("sends nothing for a review that was done before its reminder fires", async () => {
    const { name, reviewId } = await approvedAgent(1);
    await deps().db.update(agentReviews).set({ status: "completed" }).where(eq(agentReviews.id, reviewId));
    await fireNow(`review-${reviewId}-reminder-due`);
    await until(async () =>
      (await deadlinesOf(deps().db, "agent_review", reviewId)).some((d) => d.status === "fired"),
    );
    await sleep(300);
    expect(dmsTo(t.fake, techOwner, name)).toHaveLength(0);
  });
});

describe("recording a review", () => {
  it("refuses someone who may not review: an ephemeral answer, an access_denied entry, no modal", async () => {
    const { agentId, reviewId } = await approvedAgent(3);
    const before = t.fake.callsTo("views.open").length;
    await t.slack.blockAction({
      userId: outsider,
      actionId: "agent_review_start",
      value: `review-${reviewId}`,
      message: { ts: "1700000000.000200", channel: `D${outsider}` },
    });
    await until(() => ephemerals("Only the agent's business owner").length > 0);
    expect(t.fake.callsTo("views.open").length).toBe(before);
    expect(await auditTypes(deps().db, agentId)).toContain("access_denied");
  });

  it("keeps the modal open with field errors, records 'continue with conditions' once, and schedules what follows", async () => {
    const { agentId, name, reviewId } = await approvedAgent(3, "deployed");
    const open = await openReviewModal(businessOwner, reviewId);
    const view = open.args.view as { callback_id: string; blocks: { block_id?: string }[] };
    expect(view.callback_id).toBe("agent_review");
    expect(view.blocks.map((b) => b.block_id).filter(Boolean)).toEqual([
      "review.outcome",
      "review.notes",
      "review.conditions",
    ]);
    const viewId = String((open.response.view as { id: string }).id);

    const missing = await submitReview(businessOwner, viewId, "continue_with_conditions", "fine");
    expect(missing.body).toMatchObject({
      response_action: "errors",
      errors: { "review.conditions": expect.any(String) },
    });
    const pastDate = await submitReview(
      businessOwner,
      viewId,
      "continue_with_conditions",
      "",
      "Redact PII by 2020-01-01",
    );
    expect(pastDate.body).toMatchObject({
      errors: { "review.conditions": expect.stringContaining("after today") },
    });
    const intruder = await submitReview(outsider, viewId, "continue");
    expect(intruder.body).toMatchObject({ errors: { "review.outcome": expect.stringContaining("Only") } });
    expect((await reviewsOf(agentId))[0]!.status).toBe("scheduled");

    const ok = await submitReview(
      businessOwner,
      viewId,
      "continue_with_conditions",
      "Monitoring OK; <!channel> one cost spike",
      "Add PII redaction to outputs\nWeekly cost report by 2099-01-31",
    );
    expect(ok.body).toMatchObject({ response_action: "update" });
    const [done, next] = await reviewsOf(agentId);
    expect(done).toMatchObject({
      status: "completed",
      outcome: "continue_with_conditions",
      completedBy: businessOwner,
    });
    expect(next).toMatchObject({ kind: "periodic", status: "scheduled" });
    expect(next!.dueAt.getTime() - now().getTime()).toBeGreaterThan(90 * DAY - 10_000);
    expect(
      (await deadlinesOf(deps().db, "agent_review", reviewId)).every((d) => d.status === "cancelled"),
    ).toBe(true);
    const items = await deps()
      .db.select()
      .from(remediationItems)
      .where(eq(remediationItems.agentId, agentId));
    expect(items.map((i) => [i.source, i.owner, i.description])).toEqual([
      ["review_condition", techOwner, "Add PII redaction to outputs"],
      ["review_condition", techOwner, "Weekly cost report"],
    ]);
    expect(items[1]!.deadline.toISOString()).toBe("2099-01-31T18:00:00.000Z");
    expect((await deadlinesOf(deps().db, "remediation_item", items[0]!.id)).map((d) => d.kind)).toContain(
      "remediation_overdue",
    );
    const types = await auditTypes(deps().db, agentId);
    expect(types.filter((x) => x === "review_completed")).toHaveLength(1);
    expect(types.filter((x) => x === "review_scheduled")).toHaveLength(2);
    await until(() => dmsTo(t.fake, techOwner, name).some((c) => String(c.args.text).includes("recorded")));
    // The notes never ping the channel.
    expect(JSON.stringify(t.fake.calls.filter((c) => JSON.stringify(c.args).includes(name)))).not.toContain(
      "<!channel>",
    );

    const again = await submitReview(techOwner, viewId, "continue");
    expect(again.body).toMatchObject({
      errors: { "review.outcome": expect.stringContaining("already completed") },
    });
    expect(await reviewsOf(agentId)).toHaveLength(2);
  });

  it("a 'suspend' outcome suspends the agent and tells the committee", async () => {
    const { agentId, name, reviewId } = await approvedAgent(2, "deployed");
    const open = await openReviewModal(chair, reviewId);
    await submitReview(
      chair,
      String((open.response.view as { id: string }).id),
      "suspend",
      "Drift in outputs",
    );
    const agent = await agentOf(agentId);
    expect(agent).toMatchObject({ status: "suspended", suspendedReason: "Drift in outputs" });
    expect(await auditTypes(deps().db, agentId)).toEqual(
      expect.arrayContaining(["agent_suspended", "review_completed"]),
    );
    await until(() => postsWith(t.fake, name).some((c) => c.args.channel === CHANNELS.committee));
    expect((await reviewsOf(agentId)).map((r) => r.status)).toEqual(["completed", "scheduled"]);
  });

  it("a 'decommission' outcome retires the agent, revokes its tokens and schedules nothing more", async () => {
    const { agentId, reviewId } = await approvedAgent(3, "deployed");
    await deps()
      .db.insert(agentTokens)
      .values({ agentId, tokenHash: `h-${agentId}`, createdBy: techOwner });
    const open = await openReviewModal(techOwner, reviewId);
    await submitReview(
      techOwner,
      String((open.response.view as { id: string }).id),
      "decommission",
      "Replaced",
    );
    expect((await agentOf(agentId)).status).toBe("decommissioned");
    expect((await reviewsOf(agentId)).map((r) => r.status)).toEqual(["completed"]);
    const [token] = await deps().db.select().from(agentTokens).where(eq(agentTokens.agentId, agentId));
    expect(token!.revokedAt).not.toBeNull();
    expect(await auditTypes(deps().db, agentId)).toEqual(
      expect.arrayContaining(["token_revoked", "agent_decommissioned", "review_completed"]),
    );
  });
});
