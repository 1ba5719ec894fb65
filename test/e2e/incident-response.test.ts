import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentRuntimeStatus } from "../../src/db/queries/agents.ts";
import { postIncidentReviews } from "../../src/db/schema/index.ts";
import {
  checklistValue,
  INCIDENT_ACTIONS,
  INPUT_ACTION,
  RESOLVE_FIELDS,
  severityChoiceValue,
} from "../../src/slack/ids/incident.ts";
import { createAgent } from "../support/agent-fixtures.ts";
import { CHANNELS, PEOPLE, startTestApp, type TestApp, testGovernorYaml } from "../support/app.ts";
import {
  auditOf,
  clickPage,
  deadlinesOf,
  declareViaSlack,
  filledModal,
  incidentRow,
  isPost,
  pageMessage,
  quorumOf,
  sleep,
  textOf,
  threadReplies,
  until,
} from "../support/incidents.ts";
import { stateValues } from "../support/slack-requests.ts";

let t: TestApp;
const owners = { businessOwner: PEOPLE.requester, technicalOwner: PEOPLE.techOwner };
beforeAll(async () => {
  t = await startTestApp({ yaml: testGovernorYaml({ incident_sla: { sev2: "PT2S" } }) });
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.governor.deps.db;

async function declare(name: string, severity: string, summary = "Agent output contained unexpected PII") {
  const agent = await createAgent(db(), { name, ...owners });
  const { incidentId } = await declareViaSlack(t, PEOPLE.engineering, {
    agentId: agent.id,
    severity,
    summary,
  });
  if (!incidentId) throw new Error("not declared");
  return { agent, incidentId, page: await pageMessage(t, incidentId) };
}

const repages = (ts: string) => threadReplies(t, ts).filter((c) => String(c.args.text).includes("Re-page"));

describe("the response SLA", () => {
  it("re-pages an unacknowledged page at each interval, mentioning the CISO and on-call, until acknowledged", async () => {
    const { incidentId, page } = await declare("Repage Agent", "SEV2");
    await until("first re-page", async () => repages(page.ts).length >= 1, 6000);
    const first = repages(page.ts)[0]!;
    expect(textOf(first)).toContain(`<@${PEOPLE.ciso}>`);
    expect(textOf(first)).toContain(`<@${PEOPLE.oncall}>`);
    expect(String(first.args.reply_broadcast)).toBe("true");
    await until("second re-page", async () => repages(page.ts).length >= 2, 6000);
    await clickPage(t, PEOPLE.oncall, INCIDENT_ACTIONS.acknowledge, incidentId);
    const row = await until("acknowledged", async () => {
      const r = await incidentRow(t, incidentId);
      return r.acknowledgedAt ? r : null;
    });
    expect(row.acknowledgedBy).toBe(PEOPLE.oncall);
    const seen = repages(page.ts).length;
    expect((await deadlinesOf(t, "incident", incidentId)).filter((d) => d.status === "pending")).toEqual([]);
    await sleep(2600);
    expect(repages(page.ts).length).toBe(seen);
    expect((await auditOf(t, "incident_repaged", incidentId)).length).toBe(seen);
    expect(await auditOf(t, "incident_acknowledged", incidentId)).toHaveLength(1);
  });

  it("acknowledges once when two people click at the same instant", async () => {
    const { incidentId } = await declare("Double Ack Agent", "SEV3");
    const ephemeralsBefore = t.fake.callsTo("chat.postEphemeral").length;
    await Promise.all([
      clickPage(t, PEOPLE.oncall, INCIDENT_ACTIONS.acknowledge, incidentId),
      clickPage(t, PEOPLE.chair, INCIDENT_ACTIONS.acknowledge, incidentId),
    ]);
    const [refusal] = (await t.fake.waitFor("chat.postEphemeral", { count: ephemeralsBefore + 1 })).slice(
      ephemeralsBefore,
    );
    const row = await incidentRow(t, incidentId);
    expect([PEOPLE.oncall, PEOPLE.chair]).toContain(row.acknowledgedBy);
    expect(String(refusal!.args.text)).toContain(`Already acknowledged by <@${row.acknowledgedBy}>`);
    expect(await auditOf(t, "incident_acknowledged", incidentId)).toHaveLength(1);
  });

  it("escalates on request: on-call and the CISO are paged in the thread", async () => {
    const { incidentId, page } = await declare("Escalate Agent", "SEV3");
    await clickPage(t, PEOPLE.oncall, INCIDENT_ACTIONS.escalate, incidentId);
    const [reply] = await t.fake.waitFor(
      (c) => c.args.thread_ts === page.ts && String(c.args.text).includes("Escalated"),
    );
    expect(textOf(reply!)).toContain(`<@${PEOPLE.ciso}>`);
    expect((await incidentRow(t, incidentId)).repageCount).toBe(1);
    expect(await auditOf(t, "escalation_triggered", incidentId)).toHaveLength(1);
    expect(
      (await deadlinesOf(t, "incident", incidentId)).filter((d) => d.status === "pending").map((d) => d.key),
    ).toEqual([`incident-${incidentId}-repage-2`]);
  });
});

describe("changing the severity", () => {
  const choose = (incidentId: number, severity: "SEV1" | "SEV2" | "SEV3") =>
    pageMessage(t, incidentId).then((message) =>
      t.slack.blockAction({
        userId: PEOPLE.oncall,
        actionId: INCIDENT_ACTIONS.changeSeverity,
        selectedOption: severityChoiceValue(incidentId, severity),
        message,
      }),
    );

  it("recomputes the response deadline from the declaration and runs SEV1's automation when raised to it", async () => {
    const { agent, incidentId, page } = await declare("Raise Agent", "SEV3", "Repeated failures");
    const declared = await incidentRow(t, incidentId);
    await choose(incidentId, "SEV2");
    const sev2 = await until("severity SEV2", async () => {
      const r = await incidentRow(t, incidentId);
      return r.severity === "SEV2" ? r : null;
    });
    expect(sev2.responseDueAt.getTime()).toBeGreaterThanOrEqual(declared.declaredAt.getTime() + 2000);
    expect(sev2.responseDueAt.getTime()).toBeLessThan(declared.declaredAt.getTime() + 4000);
    const [timer] = await deadlinesOf(t, "incident", incidentId);
    expect(timer!.dueAt.getTime()).toBe(sev2.responseDueAt.getTime());
    await until("re-page at the recomputed deadline", async () => repages(page.ts).length >= 1, 6000);
    expect(await agentRuntimeStatus(db(), agent.id)).toBe("active");

    await choose(incidentId, "SEV1");
    await until("suspended", async () => (await agentRuntimeStatus(db(), agent.id)) === "suspended");
    expect((await quorumOf(t, incidentId))?.status).toBe("open");
    await t.fake.waitFor((c) => isPost(CHANNELS.board)(c) && textOf(c).includes(`incident #${incidentId}`));
    await t.fake.waitFor(
      (c) => c.args.thread_ts === page.ts && String(c.args.text).includes("Raised to SEV1"),
    );
    expect(await auditOf(t, "security_control_activated", incidentId)).toHaveLength(1);

    await choose(incidentId, "SEV3");
    await until("lowered", async () => (await incidentRow(t, incidentId)).severity === "SEV3");
    expect(await agentRuntimeStatus(db(), agent.id)).toBe("suspended");
    expect(
      (await auditOf(t, "incident_severity_changed", incidentId)).map((e) => (e.data as { to: string }).to),
    ).toEqual(["SEV2", "SEV1", "SEV3"]);
  });

  it("refuses a change to the severity it already has", async () => {
    const { incidentId } = await declare("Same Severity Agent", "SEV3");
    const before = t.fake.callsTo("chat.postEphemeral").length;
    await choose(incidentId, "SEV3");
    const [refusal] = (await t.fake.waitFor("chat.postEphemeral", { count: before + 1 })).slice(before);
    expect(String(refusal!.args.text)).toContain("already SEV3");
    expect(await auditOf(t, "incident_severity_changed", incidentId)).toHaveLength(0);
  });
});

describe("the checklist", () => {
  it("records ticks from different people and shows them on the page", async () => {
    const { incidentId, page } = await declare("Checklist Agent", "SEV3");
    await t.slack.blockAction({
      userId: PEOPLE.oncall,
      actionId: INCIDENT_ACTIONS.checklist,
      selectedOptions: [checklistValue(incidentId, 0), checklistValue(incidentId, 2)],
      message: page,
    });
    await until(
      "ticks recorded",
      async () => ((await incidentRow(t, incidentId)).checklistDone as number[]).length === 2,
    );
    const shown = await until("page shows the ticks", async () => {
      const m = t.fake.getMessage(page.channel, page.ts);
      return JSON.stringify(m?.blocks ?? []).includes("initial_options") ? m : null;
    });
    expect(JSON.stringify(shown.blocks)).toContain(checklistValue(incidentId, 2));
    // Another person unticks item 0 on the page as it now shows.
    await t.slack.blockAction({
      userId: PEOPLE.techOwner,
      actionId: INCIDENT_ACTIONS.checklist,
      selectedOptions: [checklistValue(incidentId, 2)],
      message: page,
    });
    await until(
      "untick recorded",
      async () => ((await incidentRow(t, incidentId)).checklistDone as number[]).length === 1,
    );
    expect((await incidentRow(t, incidentId)).checklistDone).toEqual([2]);
    const audited = await auditOf(t, "incident_checklist_updated", incidentId);
    expect(audited.map((e) => (e.data as { unticked: unknown[] }).unticked.length)).toEqual([0, 1]);
  });
});

describe("resolving", () => {
  async function openResolve(incidentId: number, user: string) {
    const click = await clickPage(t, user, INCIDENT_ACTIONS.resolve, incidentId);
    return filledModal(t, click.triggerId);
  }
  const summary = (text: string) => stateValues({ [RESOLVE_FIELDS.resolution]: { [INPUT_ACTION]: text } });

  it("requires a resolution summary, then closes the incident and opens the post-incident review", async () => {
    const { incidentId, page } = await declare("Resolve Agent", "SEV3");
    const { viewId } = await openResolve(incidentId, PEOPLE.oncall);
    const empty = await t.slack.viewSubmission({ userId: PEOPLE.oncall, viewId, values: summary("   ") });
    expect(empty.body).toMatchObject({
      response_action: "errors",
      errors: { [RESOLVE_FIELDS.resolution]: expect.any(String) },
    });
    expect((await incidentRow(t, incidentId)).status).toBe("declared");

    const ok = await t.slack.viewSubmission({
      userId: PEOPLE.oncall,
      viewId,
      values: summary("Rolled back the prompt template"),
    });
    expect(ok.status).toBe(200);
    const row = await incidentRow(t, incidentId);
    expect(row).toMatchObject({
      status: "resolved",
      resolvedBy: PEOPLE.oncall,
      acknowledgedBy: PEOPLE.oncall,
    });
    expect((await deadlinesOf(t, "incident", incidentId)).filter((d) => d.status === "pending")).toEqual([]);
    const [review] = await db()
      .select()
      .from(postIncidentReviews)
      .where(eq(postIncidentReviews.incidentId, incidentId));
    expect(review?.status).toBe("pending");
    await t.fake.waitFor(
      (c) =>
        c.args.thread_ts === page.ts &&
        JSON.stringify(c.args.blocks ?? []).includes(INCIDENT_ACTIONS.startReview),
    );

    // A second Resolve shows why, in the modal, and changes nothing.
    const again = await openResolve(incidentId, PEOPLE.chair);
    expect(JSON.stringify(again.view.blocks)).toContain("already resolved");
    expect(JSON.stringify(again.view.blocks)).not.toContain(RESOLVE_FIELDS.resolution);
    expect((await incidentRow(t, incidentId)).resolvedBy).toBe(PEOPLE.oncall);
  });
});

describe("what went to Slack", () => {
  it("respected every Block Kit limit", () => {
    expect(t.fake.violations).toEqual([]);
  });
});
