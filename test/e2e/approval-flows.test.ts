import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agents, deadlines } from "../../src/db/schema/index.ts";
import { CHANNELS, PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import { adrInReview } from "../support/adr-fixtures.ts";
import {
  adrRow,
  auditFor,
  blocksText,
  click,
  ephemeralsTo,
  hasButtons,
  requestMessage,
  shownRequest,
  submitModal,
  threadPosts,
  until,
  votesOn,
} from "../support/approval.ts";
import { plain, select, stateValues } from "../support/slack-values.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const { chair, coChair, engineering, business, ethics, ciso, techOwner, requester } = PEOPLE;

async function approve(adrId: number, voter: string, count: number): Promise<void> {
  await click(t, voter, "approve", adrId);
  await until(`${voter}'s vote`, async () => (await votesOn(t, adrId)).length === count);
}
async function reject(adrId: number, voter: string, reason: string): Promise<void> {
  await submitModal(t, voter, "reject", adrId, stateValues({ reason: { value: plain(reason) } }));
  await until(`${voter}'s reject`, async () =>
    (await votesOn(t, adrId)).some((v) => v.voter === voter && v.choice === "reject"),
  );
}
async function refusedClick(who: string, button: "raiseTier" | "withdraw", adrId: number): Promise<string> {
  const before = ephemeralsTo(t, who).length;
  await click(t, who, button, adrId);
  const calls = await t.fake.waitFor((c) => c.method === "chat.postEphemeral" && c.args.user === who, {
    count: before + 1,
  });
  return String(calls.at(-1)!.args.text);
}

describe("votes may change until the decision; ties and vetoes resolve restrictively", () => {
  it("keeps only a voter's latest vote, and says so in the thread", async () => {
    const { adrId } = await adrInReview(t, { tier: 3 });
    const message = await requestMessage(t, adrId);
    await approve(adrId, engineering, 1);
    await reject(adrId, engineering, "Second thoughts: no DPIA");
    const votes = await votesOn(t, adrId);
    expect(votes.map((v) => [v.voter, v.choice])).toEqual([[engineering, "reject"]]);
    const cast = await auditFor(t, "vote_cast", adrId);
    expect(cast.map((e) => (e.data as { changedFrom: string | null }).changedFrom)).toEqual([
      null,
      "approve",
    ]);
    await until("change in thread", async () =>
      threadPosts(t, message).some((c) =>
        blocksText(c.args.blocks).includes("changed their vote from *Approve* to *Reject*"),
      ),
    );
    await until("tally updated", async () =>
      blocksText((await shownRequest(t, adrId)).blocks).includes("Approve 0 · Conditional 0 · Reject 1"),
    );
    expect((await adrRow(t, adrId)).status).toBe("in_review");
  });

  it("a 2–2 tie at quorum goes to the more restrictive outcome", async () => {
    const { adrId } = await adrInReview(t, { tier: 3 });
    await approve(adrId, engineering, 1);
    await reject(adrId, business, "Vendor DPA missing");
    await reject(adrId, ethics, "No human review");
    expect((await adrRow(t, adrId)).status).toBe("in_review"); // no chair or co-chair yet: no quorum
    await approve(adrId, chair, 4);
    await until("rejected", async () => (await adrRow(t, adrId)).status === "rejected");
    expect((await adrRow(t, adrId)).decisionWhy).toContain("tie between reject and approve");
  });

  it("a reject by the co-chair is a veto even against a majority", async () => {
    const { adrId } = await adrInReview(t, { tier: 4 });
    await approve(adrId, engineering, 1);
    await approve(adrId, business, 2);
    await reject(adrId, coChair, "Fails the legal review");
    await until("vetoed", async () => (await adrRow(t, adrId)).status === "rejected");
    expect((await adrRow(t, adrId)).decisionWhy).toContain("vetoed by the co-chair");
    expect(await auditFor(t, "decision_made", adrId)).toHaveLength(1);
  });
});

describe("the chair raises a tier", () => {
  it("refuses anyone else, then recomputes sign-offs and the SLA, keeping stored votes", async () => {
    const { adrId, agentId } = await adrInReview(t, { tier: 2 });
    const message = await requestMessage(t, adrId);
    await approve(adrId, techOwner, 1);
    const before = await adrRow(t, adrId);

    expect(await refusedClick(ciso, "raiseTier", adrId)).toContain("Only the committee chair");
    expect(await auditFor(t, "access_denied", adrId)).toHaveLength(1);

    const res = await submitModal(
      t,
      chair,
      "raiseTier",
      adrId,
      stateValues({ tier: { value: select("4") }, reason: { value: plain("Moves money after all") } }),
    );
    expect(res.body).toBe("");
    await until("raised", async () => (await adrRow(t, adrId)).tier === 4);
    const raised = await adrRow(t, adrId);
    expect([raised.tierRaisedBy, raised.tierRaisedReason, raised.computedTier]).toEqual([
      chair,
      "Moves money after all",
      2,
    ]);
    expect(raised.slaDueAt!.getTime()).toBeGreaterThan(before.slaDueAt!.getTime());
    const [entry] = await auditFor(t, "tier_raised", adrId);
    expect(entry!.data).toMatchObject({ from: 2, to: 4, reason: "Moves money after all" });
    const pending = await t.governor.deps.db
      .select()
      .from(deadlines)
      .where(
        and(
          eq(deadlines.subjectType, "adr"),
          eq(deadlines.subjectId, String(adrId)),
          eq(deadlines.status, "pending"),
        ),
      );
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((d) => (d.data as { tier?: number }).tier === 4)).toBe(true);
    await until("board told", async () =>
      t.fake
        .callsTo("chat.postMessage")
        .some(
          (c) =>
            c.args.channel === CHANNELS.board &&
            String(c.args.text).includes(`ADR-${adrId} `) &&
            blocksText(c.args.blocks).includes("raised to tier 4"),
        ),
    );
    // The technical owner's vote stays stored but no longer counts.
    expect((await votesOn(t, adrId)).map((v) => v.voter)).toEqual([techOwner]);
    await until("committee view", async () =>
      blocksText((await shownRequest(t, adrId)).blocks).includes("Approve 0 · Conditional 0"),
    );

    await approve(adrId, chair, 2);
    await approve(adrId, engineering, 3);
    expect((await adrRow(t, adrId)).status).toBe("in_review");
    await approve(adrId, business, 4);
    await until("approved", async () => (await adrRow(t, adrId)).status === "approved");
    const [decision] = await auditFor(t, "decision_made", adrId);
    expect(decision!.data).toMatchObject({ tier: 4, tally: { approve: 3, conditional: 0, reject: 0 } });
    expect(threadPosts(t, message).some((c) => String(c.args.text).includes("Tier raised from 2 to 4"))).toBe(
      true,
    );
    expect(agentId).toBeGreaterThan(0);
  });
});

describe("the requester withdraws a pending request", () => {
  it("refuses others, then closes voting, stops the SLA timers and updates the message", async () => {
    const { adrId } = await adrInReview(t, { tier: 3 });
    const message = await requestMessage(t, adrId);
    expect(await refusedClick(chair, "withdraw", adrId)).toContain("Only the requester");
    expect(await auditFor(t, "access_denied", adrId)).toHaveLength(1);
    expect((await adrRow(t, adrId)).status).toBe("in_review");

    await click(t, requester, "withdraw", adrId);
    await until("withdrawn", async () => (await adrRow(t, adrId)).status === "withdrawn");
    expect(await auditFor(t, "adr_withdrawn", adrId)).toHaveLength(1);
    const timers = await t.governor.deps.db
      .select()
      .from(deadlines)
      .where(and(eq(deadlines.subjectType, "adr"), eq(deadlines.subjectId, String(adrId))));
    expect(timers.length).toBeGreaterThan(0);
    expect(timers.every((d) => d.status === "cancelled")).toBe(true);
    await until("buttons gone", async () => !hasButtons((await shownRequest(t, adrId)).blocks));
    await until("thread told", async () =>
      threadPosts(t, message).some((c) => String(c.args.text) === "Request withdrawn"),
    );

    await click(t, requester, "withdraw", adrId); // a second click is a no-op
    await click(t, chair, "approve", adrId);
    await t.fake.waitFor(
      (c) =>
        c.method === "chat.postEphemeral" &&
        c.args.user === chair &&
        String(c.args.text).includes("withdrawn"),
    );
    expect(await auditFor(t, "adr_withdrawn", adrId)).toHaveLength(1);
    expect(await votesOn(t, adrId)).toEqual([]);
  });
});

describe("after approval", () => {
  it("offers the technical owner Mark deployed, and the owners Start review on the App Home", async () => {
    const { adrId, agentId } = await adrInReview(t, { tier: 1 });
    await approve(adrId, techOwner, 1);
    await until("approved", async () => (await adrRow(t, adrId)).status === "approved");

    // The technical owner's decision DM carries the button; the requester's does not.
    const withButton = await until("decision DM with Mark deployed", async () =>
      t.fake
        .callsTo("chat.postMessage")
        .find(
          (c) =>
            c.ok &&
            c.args.channel === `D${techOwner}` &&
            String(c.args.text).startsWith(`ADR-${adrId} (`) &&
            blocksText(c.args.blocks).includes("agent_mark_deployed"),
        ),
    );
    expect(blocksText(withButton.args.blocks)).toContain(
      `"value":"${agentId}","action_id":"agent_mark_deployed"`,
    );
    const requesterDms = t.fake
      .callsTo("chat.postMessage")
      .filter((c) => c.args.channel === `D${requester}` && String(c.args.text).includes(`ADR-${adrId}`));
    expect(requesterDms.some((c) => blocksText(c.args.blocks).includes("agent_mark_deployed"))).toBe(false);

    // Clicking it marks the agent deployed.
    await t.slack.blockAction({
      userId: techOwner,
      actionId: "agent_mark_deployed",
      value: String(agentId),
      message: { channel: String(withButton.args.channel), ts: String(withButton.response.ts) },
    });
    await until("agent deployed", async () => {
      const [agent] = await t.governor.deps.db.select().from(agents).where(eq(agents.id, agentId));
      return agent?.status === "deployed";
    });

    // The post-deployment review is due in 180 days: not yet on the Home. Bring it within 30 days.
    await t.governor.deps.db.execute(
      sql`update agent_reviews set due_at = now() + interval '3 days' where agent_id = ${agentId} and status = 'scheduled'`,
    );
    await t.slack.event({ type: "app_home_opened", user: techOwner, channel: `D${techOwner}`, tab: "home" });
    const [home] = await t.fake.waitFor(
      (c) =>
        c.method === "views.publish" &&
        c.args.user_id === techOwner &&
        blocksText(c.args.view).includes("agent_review_start"),
    );
    expect(blocksText(home!.args.view)).toContain("Post-deployment review");
  });
});
