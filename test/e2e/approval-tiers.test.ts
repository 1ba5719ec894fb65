import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHANNELS, PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import { adrInReview } from "../support/adr-fixtures.ts";
import {
  adrRow,
  agentRow,
  auditFor,
  blocksText,
  click,
  dmsTo,
  hasButtons,
  isoDate,
  shownRequest,
  submitModal,
  threadPosts,
  requestMessage,
  until,
  votesOn,
} from "../support/approval.ts";
import { date, plain, stateValues, user } from "../support/slack-values.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

type Choice = "approve" | "conditional" | "reject";
const { chair, coChair, engineering, business, ethics, ciso, techOwner, requester } = PEOPLE;

async function vote(adrId: number, voter: string, choice: Choice): Promise<void> {
  if (choice === "approve") await click(t, voter, "approve", adrId);
  if (choice === "conditional") {
    const values = stateValues({
      "conditions.0.text": { value: plain(`Pen test before launch (${voter})`) },
      "conditions.0.owner": { value: user(techOwner) },
      "conditions.0.deadline": { value: date(isoDate(30)) },
      reason: { value: plain("Fine once tested") },
    });
    const res = await submitModal(t, voter, "conditional", adrId, values);
    expect(res.body).toBe("");
  }
  if (choice === "reject") {
    const res = await submitModal(
      t,
      voter,
      "reject",
      adrId,
      stateValues({ reason: { value: plain("Too risky") } }),
    );
    expect(res.body).toBe("");
  }
  await until(`${voter}'s ${choice} vote`, async () =>
    (await votesOn(t, adrId)).some((v) => v.voter === voter && v.choice === choice),
  );
}

const CASES: [number, string, [string, Choice][]][] = [
  [1, "approved", [[techOwner, "approve"]]],
  [1, "conditional", [[techOwner, "conditional"]]],
  [1, "rejected", [[techOwner, "reject"]]],
  [
    2,
    "approved",
    [
      [techOwner, "approve"],
      [ciso, "approve"],
    ],
  ],
  [
    2,
    "conditional",
    [
      [techOwner, "approve"],
      [ciso, "conditional"],
    ],
  ],
  [
    2,
    "rejected",
    [
      [techOwner, "approve"],
      [ciso, "reject"],
    ],
  ],
  [
    3,
    "approved",
    [
      [chair, "approve"],
      [engineering, "approve"],
      [business, "reject"],
    ],
  ],
  [
    3,
    "conditional",
    [
      [coChair, "conditional"],
      [engineering, "conditional"],
      [ethics, "approve"],
    ],
  ],
  [
    3,
    "rejected",
    [
      [engineering, "reject"],
      [business, "reject"],
      [chair, "approve"],
    ],
  ],
  [
    4,
    "approved",
    [
      [coChair, "approve"],
      [ethics, "approve"],
      [business, "approve"],
    ],
  ],
  [
    4,
    "conditional",
    [
      [chair, "conditional"],
      [coChair, "conditional"],
      [engineering, "approve"],
    ],
  ],
  [
    4,
    "rejected",
    [
      [business, "reject"],
      [ethics, "reject"],
      [coChair, "approve"],
    ],
  ],
];

describe("a request goes to the right approvers and is decided by its tier's rule", () => {
  it.each(CASES)("tier %i ends %s after its sign-offs", async (tier, outcome, votes) => {
    const { adrId, agentId } = await adrInReview(t, { tier: tier as 1 | 2 | 3 | 4 });
    const message = await requestMessage(t, adrId);
    expect(message.channel).toBe(CHANNELS.committee);
    const first = await shownRequest(t, adrId);
    expect(hasButtons(first.blocks)).toBe(true);
    expect(blocksText(first.blocks)).toContain("<!date^");
    expect(blocksText(first.blocks)).toContain("customer");
    if (tier <= 2) {
      // The personal asks carry the same buttons.
      await until("sign-off DM", async () =>
        dmsTo(t, techOwner).some((c) => blocksText(c.args.blocks).includes(`adr-${adrId}`)),
      );
    }

    for (const [voter, choice] of votes) await vote(adrId, voter, choice);

    await until(`ADR-${adrId} ${outcome}`, async () => (await adrRow(t, adrId)).status === outcome);
    await until("buttons removed", async () => !hasButtons((await shownRequest(t, adrId)).blocks));
    const decisions = await auditFor(t, "decision_made", adrId);
    expect(decisions).toHaveLength(1);
    expect((decisions[0]!.data as { outcome: string }).outcome).toBe(outcome);
    expect(await auditFor(t, "vote_cast", adrId)).toHaveLength(votes.length);
    expect(await auditFor(t, "review_started", adrId)).toHaveLength(1);

    await until("outcome in thread", async () =>
      threadPosts(t, message).some((c) => String(c.args.text).startsWith("Decision:")),
    );
    const posts = threadPosts(t, message);
    expect(posts.filter((c) => String(c.args.text).startsWith("Decision:"))).toHaveLength(1);
    expect(posts.length).toBeGreaterThanOrEqual(votes.length + 1);
    await until("requester told", async () =>
      dmsTo(t, requester).some((c) => String(c.args.text).includes(`ADR-${adrId} `)),
    );

    const agent = await agentRow(t, agentId);
    expect(agent.approvalStatus).toBe(outcome);
    if (outcome === "rejected") {
      expect(agent.status).toBe("proposed");
      expect(agent.approvalDate).toBeNull();
    } else {
      expect(agent.status).toBe("approved");
      expect(agent.approvalDate).not.toBeNull();
      const days = { 1: 180, 2: 90, 3: 30, 4: 30 }[tier]!;
      const expected = agent.approvalDate!.getTime() + days * 86_400_000;
      expect(Math.abs(agent.nextReviewDate!.getTime() - expected)).toBeLessThan(5000);
    }
    if (tier === 1)
      expect([agent.securityReviewer, agent.complianceReviewer]).toEqual([techOwner, techOwner]);
    if (tier === 2) expect([agent.securityReviewer, agent.complianceReviewer]).toEqual([ciso, techOwner]);
    if (tier >= 3) {
      const voters = votes.map(([v]) => v);
      expect(agent.securityReviewer).toBe(voters.includes(chair) ? chair : null);
      expect(agent.complianceReviewer).toBe(voters.includes(coChair) ? coChair : null);
    }
    if (outcome === "conditional") {
      await until("condition owner asked", async () =>
        dmsTo(t, techOwner).some((c) => blocksText(c.args.blocks).includes("approval_condition_done")),
      );
    }
    if (tier === 4) {
      await until("board told of the decision", async () =>
        t.fake
          .callsTo("chat.postMessage")
          .some((c) => c.args.channel === CHANNELS.board && String(c.args.text).includes(`ADR-${adrId} `)),
      );
    }
    expect(t.fake.violations).toEqual([]);
  });
});
