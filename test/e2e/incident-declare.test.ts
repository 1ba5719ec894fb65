import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.ts";
import { agentRuntimeStatus, isAgentSuspended } from "../../src/db/queries/agents.ts";
import { outbox } from "../../src/db/schema/index.ts";
import { declareIncident } from "../../src/services/incidents/declare.ts";
import { DECLARE_FIELDS, INCIDENT_ACTIONS } from "../../src/slack/ids/incident.ts";
import type { FakeSlackCall } from "../fakes/slack-api.ts";
import { createAgent } from "../support/agent-fixtures.ts";
import { CHANNELS, PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import {
  auditOf,
  deadlinesOf,
  declareValues,
  declareViaSlack,
  filledModal,
  incidentRow,
  isPost,
  openDeclareModal,
  outboxCount,
  pageMessage,
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
/** A DM about this incident (the fake answers conversations.open with D<user>; the app reuses that channel). */
const dmAbout = (user: string, incidentId: number) => (c: FakeSlackCall) =>
  c.method === "chat.postMessage" &&
  c.args.channel === `D${user}` &&
  textOf(c).includes(`incident #${incidentId} `);

describe("declaring an agent incident", () => {
  it("keeps /agent-incident help, and opens the modal with the inventory's live agents", async () => {
    const help = await t.slack.slashCommand("/agent-incident", "help", { userId: PEOPLE.oncall });
    expect((help.body as { text: string }).text).toContain("/agent-incident");
    const live = await createAgent(db(), { name: "Modal Listed Agent", ...owners });
    await createAgent(db(), { name: "Retired Agent", status: "decommissioned", ...owners });
    const viewId = await openDeclareModal(t, PEOPLE.oncall);
    const view = t.fake.getView(viewId)!;
    const blocks = view.blocks as { block_id?: string; element?: Record<string, unknown> }[];
    expect(blocks.map((b) => b.block_id)).toEqual(expect.arrayContaining(Object.values(DECLARE_FIELDS)));
    const agentSelect = blocks.find((b) => b.block_id === DECLARE_FIELDS.agent)!.element!;
    const names = JSON.stringify(agentSelect.options);
    expect(names).toContain("Modal Listed Agent");
    expect(names).not.toContain("Retired Agent");
    const severity = blocks.find((b) => b.block_id === DECLARE_FIELDS.severity)!.element!;
    expect(severity.type).toBe("radio_buttons");
    expect(JSON.stringify(severity.options)).toContain("Exfiltration");
    expect(live.id).toBeGreaterThan(0);
    expect(t.fake.violations).toEqual([]);
  });

  it("pages on-call for a SEV2 within a second, with mentions, checklist, deadline and buttons", async () => {
    const agent = await createAgent(db(), { name: "Support Triage Agent", ...owners });
    const pagesBefore = t.fake.calls.filter(isPost(CHANNELS.oncall)).length;
    const started = Date.now();
    const { res, incidentId } = await declareViaSlack(t, PEOPLE.oncall, {
      agentId: agent.id,
      severity: "SEV2",
      summary: "Prompt injection attempt blocked",
      observed: "Three sessions tried <!channel> tricks",
    });
    expect(res.status).toBe(200);
    expect((res.body as { response_action: string }).response_action).toBe("update");
    expect(incidentId).not.toBeNull();
    const [page] = (await t.fake.waitFor(isPost(CHANNELS.oncall), { count: pagesBefore + 1 })).slice(
      pagesBefore,
    );
    // Delivered by an immediate job, first try, no waiting for working hours: the latency
    // budget itself (p99 < 1 s) is measured by bench/incidents.bench.ts; here only a bound a
    // deferred or retried delivery could not meet on a loaded host.
    const sent = await until("page marked sent", async () => {
      const [row] = await db()
        .select()
        .from(outbox)
        .where(and(eq(outbox.ref, `incident-${incidentId}`), eq(outbox.op, "post")));
      return row?.status === "sent" ? row : null;
    });
    expect(sent).toMatchObject({ status: "sent", attempts: 0 });
    expect(sent!.deliverAfter.getTime()).toBeLessThanOrEqual(sent!.createdAt.getTime());
    expect(page!.at - started).toBeLessThan(3000);
    const text = textOf(page!);
    expect(text).toContain(`<@${PEOPLE.oncall}>`);
    expect(text).toContain(`incident #${incidentId}`);
    expect(text).toContain("<!date^");
    expect(text).toContain("Review recent session logs");
    expect(text).not.toContain("<!channel>");
    for (const action of [INCIDENT_ACTIONS.acknowledge, INCIDENT_ACTIONS.escalate, INCIDENT_ACTIONS.resolve])
      expect(text).toContain(action);
    expect(JSON.stringify(page!.args.blocks)).toContain('"checkboxes"');
    // Security is alerted (the CISO), the first response check is scheduled, the agent keeps running.
    await t.fake.waitFor(dmAbout(PEOPLE.ciso, incidentId!));
    const timers = await deadlinesOf(t, "incident", incidentId!);
    expect(timers.map((d) => [d.key, d.kind, d.status])).toEqual([
      [`incident-${incidentId}-repage-1`, "incident_repage", "pending"],
    ]);
    expect(await agentRuntimeStatus(db(), agent.id)).toBe("active");
    expect(await auditOf(t, "incident_declared", incidentId!)).toHaveLength(1);
  });

  it("alerts the agent's owners for a SEV3", async () => {
    const agent = await createAgent(db(), { name: "Cost Spike Agent", ...owners });
    const { incidentId } = await declareViaSlack(t, PEOPLE.techOwner, {
      agentId: agent.id,
      severity: "SEV3",
      summary: "API spend tripled overnight",
    });
    await pageMessage(t, incidentId!);
    await t.fake.waitFor(dmAbout(PEOPLE.requester, incidentId!));
    await t.fake.waitFor(dmAbout(PEOPLE.techOwner, incidentId!));
    const row = await incidentRow(t, incidentId!);
    expect(row.severity).toBe("SEV3");
    expect(row.responseDueAt.getTime() - row.declaredAt.getTime()).toBe(4 * 3_600_000);
  });

  it("suspends a SEV1's agent in the declaring transaction and runs the SEV1 automation", async () => {
    const agent = await createAgent(db(), { name: "Payments Agent", riskTier: 4, ...owners });
    const boardBefore = t.fake.calls.filter(isPost(CHANNELS.board)).length;
    const { res, incidentId } = await declareViaSlack(t, PEOPLE.oncall, {
      agentId: agent.id,
      severity: "SEV1",
      summary: "Unauthorised refund issued",
    });
    expect(res.status).toBe(200);
    // The runtime policy lookup right after the answer already sees it.
    expect(await agentRuntimeStatus(db(), agent.id)).toBe("suspended");
    expect(await isAgentSuspended(db(), agent.id)).toBe(true);
    const types = (
      await queryRows<{ event_type: string }>(
        db(),
        sql`select event_type from audit_entries where agent_id = ${agent.id} order by seq`,
      )
    ).map((r) => r.event_type);
    expect(types).toEqual(
      expect.arrayContaining([
        "incident_declared",
        "agent_suspended",
        "security_control_activated",
        "quorum_opened",
      ]),
    );
    const quorum = await quorumOf(t, incidentId!);
    expect(quorum?.status).toBe("open");
    await t.fake.waitFor(isPost(CHANNELS.board), { count: boardBefore + 1 });
    await t.fake.waitFor((c) => isPost(CHANNELS.committee)(c) && textOf(c).includes("Emergency quorum"));
    // The CISO's DM and the board notice both say the agent is already suspended.
    await t.fake.waitFor(
      (c) =>
        c.method === "chat.postMessage" &&
        c.args.channel === `D${PEOPLE.ciso}` &&
        textOf(c).includes(`incident #${incidentId}`) &&
        textOf(c).includes("*suspended*"),
    );
    await t.fake.waitFor((c) => isPost(CHANNELS.board)(c) && textOf(c).includes("suspended automatically"));
    const [page] = await t.fake.waitFor(
      (c) => isPost(CHANNELS.oncall)(c) && !c.args.thread_ts && textOf(c).includes(`incident #${incidentId}`),
    );
    expect(textOf(page!)).toContain(`<@${PEOPLE.ciso}>`);
  });

  it("leaves the agent running when the SEV1 transaction fails after the suspension", async () => {
    const agent = await createAgent(db(), { name: "Failing Quorum Agent", ...owners });
    const outboxBefore = await outboxCount(t);
    // A real failure late in the transaction: the quorum insert comes after the suspension.
    await db().execute(sql`create function agov_test_fail() returns trigger language plpgsql as $$
      begin raise exception 'quorum table unavailable'; end $$`);
    await db().execute(sql`create trigger agov_test_fail before insert on emergency_quorums
      for each row execute function agov_test_fail()`);
    try {
      await expect(
        declareIncident(
          t.governor.deps,
          { slackUser: PEOPLE.oncall },
          {
            agentId: agent.id,
            severity: "SEV1",
            summary: "Exfiltration to an external URL",
            submissionKey: "test-failing-sev1",
          },
        ),
      ).rejects.toThrow();
    } finally {
      await db().execute(sql`drop trigger agov_test_fail on emergency_quorums`);
      await db().execute(sql`drop function agov_test_fail()`);
    }
    expect(await agentRuntimeStatus(db(), agent.id)).toBe("active");
    expect(await outboxCount(t)).toBe(outboxBefore);
    const audits = await queryRows(db(), sql`select 1 from audit_entries where agent_id = ${agent.id}`);
    expect(audits).toHaveLength(0);
  });

  it("refuses an unknown or decommissioned agent and an empty summary on the exact fields, storing nothing", async () => {
    const retired = await createAgent(db(), { name: "Old Agent", status: "decommissioned", ...owners });
    const live = await createAgent(db(), { name: "Live Agent", ...owners });
    const outboxBefore = await outboxCount(t);
    for (const [values, field] of [
      [declareValues({ agentId: 999_999, severity: "SEV1", summary: "x" }), DECLARE_FIELDS.agent],
      [declareValues({ agentId: retired.id, severity: "SEV1", summary: "x" }), DECLARE_FIELDS.agent],
      [declareValues({ agentId: live.id, severity: "SEV1", summary: "   " }), DECLARE_FIELDS.summary],
      [declareValues({ agentId: live.id, severity: "SEV9", summary: "x" }), DECLARE_FIELDS.severity],
    ] as const) {
      const viewId = await openDeclareModal(t, PEOPLE.oncall);
      const res = await t.slack.viewSubmission({ userId: PEOPLE.oncall, viewId, values });
      const body = res.body as { response_action: string; errors: Record<string, string> };
      expect(body.response_action).toBe("errors");
      expect(Object.keys(body.errors)).toEqual([field]);
    }
    expect(await outboxCount(t)).toBe(outboxBefore);
    expect(await agentRuntimeStatus(db(), live.id)).toBe("active");
  });

  it("declares once when the same modal is submitted twice at once", async () => {
    const agent = await createAgent(db(), { name: "Double Submit Agent", ...owners });
    const viewId = await openDeclareModal(t, PEOPLE.oncall);
    const values = declareValues({ agentId: agent.id, severity: "SEV2", summary: "Odd tool calls" });
    const [a, b] = await Promise.all([
      t.slack.viewSubmission({ userId: PEOPLE.oncall, viewId, values }),
      t.slack.viewSubmission({ userId: PEOPLE.oncall, viewId, values }, { retryNum: 1 }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const rows = await queryRows<{ id: number }>(
      db(),
      sql`select id from incidents where agent_id = ${agent.id}`,
    );
    expect(rows).toHaveLength(1);
    await pageMessage(t, rows[0]!.id);
    await new Promise((r) => setTimeout(r, 300));
    const pages = t.fake.calls.filter(
      (c) =>
        isPost(CHANNELS.oncall)(c) && textOf(c).includes(`incident #${rows[0]!.id}`) && !c.args.thread_ts,
    );
    expect(pages).toHaveLength(1);
  });

  it("opens the modal with the agent chosen from the inventory's Declare incident button", async () => {
    const agent = await createAgent(db(), { name: "Inventory Button Agent", ...owners });
    const click = await t.slack.blockAction({
      userId: PEOPLE.steward,
      actionId: INCIDENT_ACTIONS.declareForAgent,
      value: String(agent.id),
      message: { ts: "1700000000.000100", channel: "C0000001" },
    });
    const view = (await filledModal(t, click.triggerId)).view as unknown as {
      blocks: { block_id?: string; element?: { initial_option?: { value: string } } }[];
    };
    const select = view.blocks.find((b) => b.block_id === DECLARE_FIELDS.agent)!;
    expect(select.element?.initial_option?.value).toBe(String(agent.id));
  });

  it("lets an agent's runtime declare about itself only, and does not suspend a merely proposed agent", async () => {
    const proposed = await createAgent(db(), { name: "Proposed Agent", status: "proposed", ...owners });
    const other = await createAgent(db(), { name: "Other Agent", ...owners });
    await expect(
      declareIncident(
        t.governor.deps,
        { agentRuntime: other.id },
        {
          agentId: proposed.id,
          severity: "SEV1",
          summary: "reporting someone else",
          submissionKey: "runtime-wrong",
        },
      ),
    ).rejects.toMatchObject({ code: "forbidden" });
    const declared = await declareIncident(
      t.governor.deps,
      { agentRuntime: proposed.id },
      {
        agentId: proposed.id,
        severity: "SEV1",
        summary: "self-reported: malicious code detected",
        submissionKey: "runtime-1",
      },
    );
    expect(declared.created).toBe(true);
    expect(declared.suspended).toBe(false);
    expect(await agentRuntimeStatus(db(), proposed.id)).toBe("not_authorised");
    expect((await incidentRow(t, declared.incidentId)).source).toBe("runtime_api");
    const page = await pageMessage(t, declared.incidentId);
    await t.fake.waitFor((c) => c.args.thread_ts === page.ts && textOf(c).includes("not suspended"));
  });
});

describe("what went to Slack", () => {
  it("respected every Block Kit limit", () => {
    expect(t.fake.violations).toEqual([]);
  });
});
