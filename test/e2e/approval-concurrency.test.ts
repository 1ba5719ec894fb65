import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import { adrInReview } from "../support/adr-fixtures.ts";
import {
  adrRow,
  auditFor,
  blocksText,
  click,
  dmsTo,
  ephemeralsTo,
  outboxDrained,
  requestMessage,
  shownRequest,
  threadPosts,
  until,
  votesOn,
} from "../support/approval.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const { chair, coChair, engineering, business, ethics, techOwner, requester, outsider } = PEOPLE;
const decisionPosts = (message: { ts: string }) =>
  threadPosts(t, message).filter((c) => String(c.args.text).startsWith("Decision:"));

describe("a decision is made exactly once", () => {
  it("20 concurrent clicks by the whole committee give one decision, one outcome post, one DM each", async () => {
    const { adrId } = await adrInReview(t, { tier: 3 });
    const message = await requestMessage(t, adrId);
    const committee = [chair, coChair, engineering, business, ethics];
    const clicks = Array.from({ length: 20 }, (_, i) => click(t, committee[i % 5]!, "approve", adrId));
    const answers = await Promise.all(clicks);
    expect(answers.every((a) => a.status === 200)).toBe(true);

    await until("approved", async () => (await adrRow(t, adrId)).status === "approved");
    await outboxDrained(t);
    expect(await auditFor(t, "decision_made", adrId)).toHaveLength(1);
    const votes = await votesOn(t, adrId);
    expect(votes.length).toBeGreaterThanOrEqual(3);
    expect(await auditFor(t, "vote_cast", adrId)).toHaveLength(votes.length);
    expect(decisionPosts(message)).toHaveLength(1);
    expect(dmsTo(t, requester).filter((c) => String(c.args.text).includes(`ADR-${adrId} `))).toHaveLength(1);
    expect(blocksText((await shownRequest(t, adrId)).blocks)).not.toContain("approval_vote_approve");
  });

  it("20 concurrent Approve clicks by one technical owner record one vote and one decision", async () => {
    const { adrId } = await adrInReview(t, { tier: 1 });
    const message = await requestMessage(t, adrId);
    await Promise.all(Array.from({ length: 20 }, () => click(t, techOwner, "approve", adrId)));
    await until("approved", async () => (await adrRow(t, adrId)).status === "approved");
    await outboxDrained(t);
    expect(await votesOn(t, adrId)).toHaveLength(1);
    expect(await auditFor(t, "vote_cast", adrId)).toHaveLength(1);
    expect(await auditFor(t, "decision_made", adrId)).toHaveLength(1);
    expect(decisionPosts(message)).toHaveLength(1);
  });

  it("a Slack retry of the same click changes nothing a second time", async () => {
    const { adrId } = await adrInReview(t, { tier: 3 });
    const message = await requestMessage(t, adrId);
    // Slack retries when our answer was slow: the first delivery may still be running.
    await Promise.all([
      click(t, engineering, "approve", adrId),
      click(t, engineering, "approve", adrId, { retryNum: 1, retryReason: "http_timeout" }),
    ]);
    await until("vote", async () => (await votesOn(t, adrId)).length === 1);
    await outboxDrained(t);
    expect(await auditFor(t, "vote_cast", adrId)).toHaveLength(1);
    expect(threadPosts(t, message).filter((c) => String(c.args.text).includes("voted Approve"))).toHaveLength(
      1,
    );
    const repliesBefore = threadPosts(t, message).length;
    const updatesBefore = t.fake.callsTo("chat.update").filter((c) => c.args.ts === message.ts).length;
    const answersBefore = ephemeralsTo(t, engineering).length;

    const retry = await click(t, engineering, "approve", adrId, { retryNum: 2, retryReason: "http_timeout" });
    expect(retry.status).toBe(200);
    // A later click that must be answered shows the retry has been handled before it.
    const seen = ephemeralsTo(t, outsider).length;
    await click(t, outsider, "approve", adrId);
    await t.fake.waitFor((c) => c.method === "chat.postEphemeral" && c.args.user === outsider, {
      count: seen + 1,
    });
    await outboxDrained(t);

    expect(await votesOn(t, adrId)).toHaveLength(1);
    expect(await auditFor(t, "vote_cast", adrId)).toHaveLength(1);
    expect(threadPosts(t, message).length).toBe(repliesBefore);
    expect(t.fake.callsTo("chat.update").filter((c) => c.args.ts === message.ts).length).toBe(updatesBefore);
    expect(ephemeralsTo(t, engineering)).toHaveLength(answersBefore);
  });

  it("a 429 on chat.update delays the tally, never loses it", async () => {
    const { adrId } = await adrInReview(t, { tier: 3 });
    const message = await requestMessage(t, adrId);
    await outboxDrained(t);
    t.fake.failNext("chat.update", { status: 429, retryAfter: 1 });
    await click(t, ethics, "approve", adrId);
    await until("vote stored", async () => (await votesOn(t, adrId)).length === 1);
    expect((await adrRow(t, adrId)).status).toBe("in_review");
    await until(
      "message shows the vote",
      async () => blocksText((await shownRequest(t, adrId)).blocks).includes("Approve 1 · Conditional 0"),
      10_000,
    );
    const updates = t.fake.callsTo("chat.update").filter((c) => c.args.ts === message.ts);
    expect(updates.some((c) => c.status === 429)).toBe(true);
    expect(updates.at(-1)!.ok).toBe(true);
    expect(await auditFor(t, "vote_cast", adrId)).toHaveLength(1);
  });
});
