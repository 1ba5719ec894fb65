import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentReviews, agents, auditEntries } from "../../src/db/schema/index.ts";
import { inTransaction } from "../../src/services/run.ts";
import { scheduleNextReview } from "../../src/services/timers/reviews.ts";
import { PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import { auditTypes, deadlinesOf, insertAdr, shiftedClock, sleep } from "../support/timers.ts";

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
const { techOwner, outsider } = PEOPLE;

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
describe("marking an agent deployed", () => {
  async function click(userId: string, agentId: number) {
    const before = t.fake.callsTo("response_url").length;
    await t.slack.blockAction({
      userId,
      actionId: "agent_mark_deployed",
      value: String(agentId),
      message: { ts: "1700000000.000300", channel: `D${userId}` },
    });
    const [answer] = (await t.fake.waitFor("response_url", { count: before + 1 })).slice(before);
    return String(answer!.args.text);
  }

  it("lets only the technical owner do it, once, and restarts the post-deployment review clock from deployment", async () => {
    const { agentId, reviewId, dueAt } = await approvedAgent(3);
    expect(await click(outsider, agentId)).toContain("Only the agent's technical owner");
    expect((await agentOf(agentId)).status).toBe("approved");
    const [denied] = await deps()
      .db.select()
      .from(auditEntries)
      .where(and(eq(auditEntries.agentId, agentId), eq(auditEntries.eventType, "access_denied")));
    expect(denied).toBeDefined();

    await sleep(50);
    expect(await click(techOwner, agentId)).toContain("Marked deployed");
    const agent = await agentOf(agentId);
    expect(agent.status).toBe("deployed");
    const [old, moved] = await reviewsOf(agentId);
    expect(old).toMatchObject({ id: reviewId, status: "cancelled" });
    expect(moved).toMatchObject({ kind: "post_deployment", status: "scheduled" });
    expect(moved!.dueAt.getTime()).toBe(agent.deployedAt!.getTime() + 30 * DAY);
    expect(moved!.dueAt.getTime()).toBeGreaterThan(dueAt.getTime());
    expect(
      (await deadlinesOf(deps().db, "agent_review", reviewId)).every((d) => d.status === "cancelled"),
    ).toBe(true);
    expect(await auditTypes(deps().db, agentId)).toContain("agent_deployed");

    expect(await click(techOwner, agentId)).toContain("already deployed");
    expect((await reviewsOf(agentId)).length).toBe(2);
  });

  it("refuses an agent that is not approved", async () => {
    const { agentId } = await insertAdr(deps().db, { tier: 1, agentStatus: "proposed" });
    expect(await click(techOwner, agentId)).toContain("cannot mark it deployed");
  });
});
