import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentRuntimeStatus } from "../../src/db/queries/agents.ts";
import { castQuorumVote } from "../../src/services/incidents/cast-quorum-vote.ts";
import { createAgent } from "../support/agent-fixtures.ts";
import { CHANNELS, PEOPLE, startTestApp, type TestApp, testGovernorYaml } from "../support/app.ts";
import {
  auditOf,
  deadlinesOf,
  declareViaSlack,
  isPost,
  quorumMessage,
  quorumOf,
  textOf,
  until,
} from "../support/incidents.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ yaml: testGovernorYaml({ quorum_deadline: "PT5S" }) });
});
afterAll(async () => {
  await t?.close();
});

/** The quorum reminder DM to `user` (the fake answers conversations.open with D<user>). */
const dmTo = (user: string) => (c: { method: string; args: Record<string, unknown> }) =>
  c.method === "chat.postMessage" &&
  c.args.channel === `D${user}` &&
  String(c.args.text).includes("Your vote is needed");

describe("the emergency quorum's deadline", () => {
  it("reminds members who have not voted at half time, then closes without quorum: the agent stays suspended and the board hears", async () => {
    const agent = await createAgent(t.governor.deps.db, {
      name: "Deadline Agent",
      businessOwner: PEOPLE.requester,
      technicalOwner: PEOPLE.techOwner,
    });
    const { incidentId } = await declareViaSlack(t, PEOPLE.oncall, {
      agentId: agent.id,
      severity: "SEV1",
      summary: "Data exfiltrated to an external URL",
    });
    const quorum = (await quorumOf(t, incidentId!))!;
    expect(quorum.deadlineAt.getTime() - quorum.openedAt.getTime()).toBe(5000);
    // 30 minutes before a 5-second deadline is before it opened: only the half-time reminder exists.
    expect((await deadlinesOf(t, "emergency_quorum", quorum.id)).map((d) => d.kind).sort()).toEqual([
      "quorum_close",
      "quorum_reminder",
    ]);
    // One member votes before half time (straight through the service: the click path is tested
    // elsewhere, and a slow host must not push this vote past the reminder).
    await castQuorumVote(
      t.governor.deps,
      { slackUser: PEOPLE.engineering },
      { quorumId: quorum.id, choice: "restore_service" },
    );
    const dmsBefore = t.fake.calls.filter(dmTo(PEOPLE.engineering)).length;
    await quorumMessage(t, quorum.id);
    for (const member of [PEOPLE.chair, PEOPLE.coChair, PEOPLE.business, PEOPLE.ethics]) {
      await t.fake.waitFor(dmTo(member), { timeoutMs: 8000 });
    }
    const closed = await until(
      "closed at the deadline",
      async () => {
        const q = await quorumOf(t, incidentId!);
        return q?.status === "closed" ? q : null;
      },
      8000,
    );
    expect(closed).toMatchObject({ closeReason: "deadline", outcome: "keep_suspended" });
    expect(closed.closedAt!.getTime()).toBeGreaterThanOrEqual(quorum.deadlineAt.getTime() - 500);
    // The engineering member had voted: no reminder for them.
    expect(t.fake.calls.filter(dmTo(PEOPLE.engineering)).length).toBe(dmsBefore);
    expect(await agentRuntimeStatus(t.governor.deps.db, agent.id)).toBe("suspended");
    await t.fake.waitFor((c) => isPost(CHANNELS.board)(c) && textOf(c).includes("deadline without quorum"));
    expect(await auditOf(t, "quorum_closed", incidentId!)).toHaveLength(1);
    expect(await auditOf(t, "agent_restored", incidentId!)).toHaveLength(0);
  });
});

describe("what went to Slack", () => {
  it("respected every Block Kit limit", () => {
    expect(t.fake.violations).toEqual([]);
  });
});
