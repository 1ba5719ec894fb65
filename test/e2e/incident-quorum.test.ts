import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentRuntimeStatus } from "../../src/db/queries/agents.ts";
import { agents, quorumVotes } from "../../src/db/schema/index.ts";
import type { QuorumChoice } from "../../src/domain/incident.ts";
import { INCIDENT_ACTIONS, quorumValue, quorumVoteActionId } from "../../src/slack/ids/incident.ts";
import { type AgentFixture, createAgent } from "../support/agent-fixtures.ts";
import type { FakeSlackCall } from "../fakes/slack-api.ts";
import { CHANNELS, PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import {
  auditOf,
  clickPage,
  declareViaSlack,
  isPost,
  pageMessage,
  quorumMessage,
  quorumOf,
  textOf,
  until,
} from "../support/incidents.ts";

let t: TestApp;
const owners = { businessOwner: PEOPLE.requester, technicalOwner: PEOPLE.techOwner };
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.governor.deps.db;

async function sev1(name: string, status: AgentFixture["status"] = "deployed") {
  const agent = await createAgent(db(), { name, status, ...owners });
  const { incidentId } = await declareViaSlack(t, PEOPLE.oncall, {
    agentId: agent.id,
    severity: "SEV1",
    summary: "Agent bypassed access controls",
  });
  const quorum = await quorumOf(t, incidentId!);
  return { agent, incidentId: incidentId!, quorumId: quorum!.id };
}

async function vote(quorumId: number, user: string, choice: QuorumChoice) {
  const message = await quorumMessage(t, quorumId);
  return t.slack.blockAction({
    userId: user,
    actionId: quorumVoteActionId(choice),
    value: quorumValue(quorumId),
    message,
  });
}

const closed = (incidentId: number) =>
  until("quorum closed", async () => {
    const q = await quorumOf(t, incidentId);
    return q?.status === "closed" ? q : null;
  });

/**
 * The first ephemeral message to `user` among those after the first `before`
 * (an earlier test's late ephemerals to other people may come in between).
 */
const ephemeralAfter = async (before: number, user: string) => {
  const seen = new Set(t.fake.callsTo("chat.postEphemeral").slice(0, before));
  const mine = (c: FakeSlackCall) =>
    c.method === "chat.postEphemeral" && !seen.has(c) && c.args.user === user;
  return (await t.fake.waitFor(mine))[0]!;
};

describe("the emergency quorum", () => {
  it("keeps a live tally, closes at quorum and restores a restored agent to deployed", async () => {
    const { agent, incidentId, quorumId } = await sev1("Quorum Restore Agent");
    expect(await agentRuntimeStatus(db(), agent.id)).toBe("suspended");
    const poll = await quorumMessage(t, quorumId);
    expect(poll.channel).toBe(CHANNELS.committee);
    await vote(quorumId, PEOPLE.engineering, "restore_service");
    await until("tally shown", async () =>
      JSON.stringify(t.fake.getMessage(poll.channel, poll.ts)?.blocks).includes("Restore service: *1*"),
    );
    await vote(quorumId, PEOPLE.business, "restore_service");
    expect((await quorumOf(t, incidentId))?.status).toBe("open");
    await vote(quorumId, PEOPLE.chair, "keep_suspended");
    const q = await closed(incidentId);
    expect(q).toMatchObject({ outcome: "restore_service", closeReason: "quorum" });
    expect(await agentRuntimeStatus(db(), agent.id)).toBe("active");
    const [row] = await db().select().from(agents).where(eq(agents.id, agent.id));
    expect(row).toMatchObject({ status: "deployed", suspendedAt: null });
    expect(await auditOf(t, "quorum_closed", incidentId)).toHaveLength(1);
    expect(await auditOf(t, "agent_restored", incidentId)).toHaveLength(1);
    await until("poll shows the decision", async () => {
      const blocks = JSON.stringify(t.fake.getMessage(poll.channel, poll.ts)?.blocks);
      return blocks.includes("Decided") && !blocks.includes(quorumVoteActionId("restore_service"));
    });
    const before = t.fake.callsTo("chat.postEphemeral").length;
    await vote(quorumId, PEOPLE.ethics, "keep_suspended");
    expect(String((await ephemeralAfter(before, PEOPLE.ethics)).args.text)).toContain("closed");
  });

  it("refuses a non-member's vote and audits it", async () => {
    const { agent, incidentId, quorumId } = await sev1("Outsider Vote Agent");
    const before = t.fake.callsTo("chat.postEphemeral").length;
    await vote(quorumId, PEOPLE.outsider, "restore_service");
    expect(String((await ephemeralAfter(before, PEOPLE.outsider)).args.text)).toContain(
      "Only members of the governance committee",
    );
    const denied = await auditOf(t, "access_denied", incidentId);
    expect(denied).toHaveLength(1);
    expect(denied[0]!.agentId).toBe(agent.id);
    expect(await db().select().from(quorumVotes).where(eq(quorumVotes.quorumId, quorumId))).toEqual([]);
  });

  it("counts a member's latest vote only", async () => {
    const { incidentId, quorumId } = await sev1("Changed Vote Agent");
    const votesOf = () => db().select().from(quorumVotes).where(eq(quorumVotes.quorumId, quorumId));
    await vote(quorumId, PEOPLE.engineering, "keep_suspended");
    await until("first vote", async () => (await votesOf()).length === 1);
    await vote(quorumId, PEOPLE.engineering, "escalate_to_board");
    const rows = await until("changed vote", async () => {
      const r = await votesOf();
      return r[0]?.choice === "escalate_to_board" ? r : null;
    });
    expect(rows.map((r) => [r.voter, r.choice])).toEqual([[PEOPLE.engineering, "escalate_to_board"]]);
    expect(await auditOf(t, "quorum_vote_cast", incidentId)).toHaveLength(2);
  });

  it("closes exactly once when the whole committee votes at the same instant, escalating to the board", async () => {
    const { agent, incidentId, quorumId } = await sev1("Concurrent Quorum Agent");
    const boardBefore = t.fake.calls.filter(isPost(CHANNELS.board)).length;
    const members = [PEOPLE.chair, PEOPLE.coChair, PEOPLE.engineering, PEOPLE.business, PEOPLE.ethics];
    await Promise.all(members.map((m) => vote(quorumId, m, "escalate_to_board")));
    const q = await closed(incidentId);
    expect(q.outcome).toBe("escalate_to_board");
    expect(await auditOf(t, "quorum_closed", incidentId)).toHaveLength(1);
    await t.fake.waitFor(isPost(CHANNELS.board), { count: boardBefore + 1 });
    await t.fake.waitFor((c) => isPost(CHANNELS.board)(c) && textOf(c).includes("Escalate to board"));
    expect(await agentRuntimeStatus(db(), agent.id)).toBe("suspended");
  });

  it("restores a never-deployed agent to approved, not deployed", async () => {
    const { agent, incidentId, quorumId } = await sev1("Approved Only Agent", "approved");
    expect(await agentRuntimeStatus(db(), agent.id)).toBe("suspended");
    for (const m of [PEOPLE.coChair, PEOPLE.engineering, PEOPLE.ethics])
      await vote(quorumId, m, "restore_service");
    await closed(incidentId);
    const [row] = await db().select().from(agents).where(eq(agents.id, agent.id));
    expect(row?.status).toBe("approved");
  });

  it("is convened on request by the chair only, and a Keep suspended decision suspends the agent", async () => {
    const agent = await createAgent(db(), { name: "Convened Agent", ...owners });
    const { incidentId } = await declareViaSlack(t, PEOPLE.oncall, {
      agentId: agent.id,
      severity: "SEV2",
      summary: "Unusual tool call pattern",
    });
    await pageMessage(t, incidentId!);
    const before = t.fake.callsTo("chat.postEphemeral").length;
    await clickPage(t, PEOPLE.oncall, INCIDENT_ACTIONS.convene, incidentId!);
    expect(String((await ephemeralAfter(before, PEOPLE.oncall)).args.text)).toContain("chair or co-chair");
    expect(await auditOf(t, "access_denied", incidentId!)).toHaveLength(1);
    expect(await quorumOf(t, incidentId!)).toBeNull();

    await clickPage(t, PEOPLE.chair, INCIDENT_ACTIONS.convene, incidentId!);
    const quorum = await until("convened", () => quorumOf(t, incidentId!));
    expect(quorum.openedBy).toBe(PEOPLE.chair);
    expect(await agentRuntimeStatus(db(), agent.id)).toBe("active");
    const again = t.fake.callsTo("chat.postEphemeral").length;
    await clickPage(t, PEOPLE.coChair, INCIDENT_ACTIONS.convene, incidentId!);
    expect(String((await ephemeralAfter(again, PEOPLE.coChair)).args.text)).toContain("already convened");

    for (const m of [PEOPLE.chair, PEOPLE.business, PEOPLE.ethics])
      await vote(quorum.id, m, "keep_suspended");
    await closed(incidentId!);
    expect(await agentRuntimeStatus(db(), agent.id)).toBe("suspended");
  });
});

describe("what went to Slack", () => {
  it("respected every Block Kit limit", () => {
    expect(t.fake.violations).toEqual([]);
  });
});
