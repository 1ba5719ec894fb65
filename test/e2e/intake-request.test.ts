import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADR_FIELDS } from "../../src/domain/adr.ts";
import { requestStepView } from "../../src/slack/adr-views.ts";
import { PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import {
  adrsOfAgent,
  answerOf,
  auditTypes,
  fileRequest,
  formValues,
  openRequest,
  outboxFor,
  submitStep,
} from "../support/intake.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const blocksOf = (view: Record<string, unknown>) => view.blocks as { type: string; block_id?: string }[];

describe("/agent-request", () => {
  it("acks at once and opens step 1 of the request form, one input per field with its dotted path", async () => {
    const { res, view } = await openRequest(t, PEOPLE.outsider);
    expect(res.status).toBe(200);
    expect(res.body).toBe("");
    expect(view.callback_id).toBe("adr_request");
    expect(view.notify_on_close).toBe(true);
    const inputs = blocksOf(view)
      .filter((b) => b.type === "input")
      .map((b) => b.block_id);
    expect(inputs).toEqual(ADR_FIELDS.filter((f) => f.step === 1).map((f) => f.path));
    expect(inputs).toContain("risk_assessment.handles_regulated_data");
    const owner = blocksOf(view).find((b) => b.block_id === "agent_metadata.business_owner") as unknown as {
      element: { type: string };
    };
    expect(owner.element.type).toBe("users_select");
    expect(t.fake.violations).toEqual([]);
  });

  it("walks the three steps, stores the ADR and the agent's record, audits and sends the DMs", async () => {
    const values = formValues();
    const name = values["agent_metadata.name"]!;
    const { viewId } = await openRequest(t, PEOPLE.requester);

    const one = answerOf(await submitStep(t, PEOPLE.requester, viewId, 1, values));
    expect(one.response_action).toBe("update");
    expect(blocksOf(one.view!).map((b) => b.block_id)).toContain("agent_capabilities.tools_requested");
    const two = answerOf(await submitStep(t, PEOPLE.requester, viewId, 2, values));
    expect(two.response_action).toBe("update");
    expect(blocksOf(two.view!).map((b) => b.block_id)).toContain("monitoring_plan.alert_thresholds");
    const three = answerOf(await submitStep(t, PEOPLE.requester, viewId, 3, values));
    expect(three.response_action).toBe("update");
    expect(JSON.stringify(three.view)).toContain("Tier 3");

    const { agent, adrs } = await adrsOfAgent(t, name);
    expect(agent).toMatchObject({
      name,
      status: "proposed",
      approvalStatus: "pending",
      businessOwner: PEOPLE.requester,
      technicalOwner: PEOPLE.techOwner,
      dataSteward: PEOPLE.steward,
      riskTier: 3,
      deploymentEnvironment: "production",
      userPopulation: "internal",
      currentAdrId: adrs[0]!.id,
    });
    expect(adrs).toHaveLength(1);
    const adr = adrs[0]!;
    expect(adr).toMatchObject({
      version: 1,
      status: "awaiting_security_assessment",
      tier: 3,
      computedTier: 3,
      score: 4,
    });
    expect(adr.requester).toBe(PEOPLE.requester);
    const content = adr.content as Record<string, Record<string, unknown>>;
    expect(content.agent_capabilities!.tools_requested).toEqual([
      { name: "read_customer_database", permissions: "read-only, customers table" },
      { name: "send_welcome_email", permissions: "send to the customer only" },
    ]);
    expect(content.monitoring_plan!.alert_thresholds).toEqual({
      error_rate_critical: 0.05,
      latency_p95_ms: 5000,
    });
    expect(content.agent_capabilities!.data_processed).toEqual(["name", "email"]);
    expect((adr.tierReasons as { text: string }[]).map((r) => r.text)).toEqual(
      expect.arrayContaining([expect.stringContaining("handles regulated data (PHI, PII, financial): +2")]),
    );
    expect(await auditTypes(t, agent!.id)).toEqual(["adr_submitted", "tier_assigned"]);

    // The technical owner is asked, by DM, with the button; the requester gets a status message.
    const [dm] = await outboxFor(t, "dm", PEOPLE.techOwner);
    expect(dm).toBeDefined();
    const techDm = await t.fake.waitFor(
      (c) =>
        c.method === "chat.postMessage" &&
        c.args.channel === `D${PEOPLE.techOwner}` &&
        JSON.stringify(c.args.blocks).includes(name),
    );
    expect(JSON.stringify(techDm[0]!.args.blocks)).toContain('"action_id":"adr_assessment_open"');
    expect(JSON.stringify(techDm[0]!.args.blocks)).toContain("Complete security assessment");
    const status = await t.fake.waitFor(
      (c) =>
        c.method === "chat.postMessage" &&
        c.args.channel === PEOPLE.requester &&
        JSON.stringify(c.args.blocks).includes(name),
    );
    const statusJson = JSON.stringify(status[0]!.args.blocks);
    expect(statusJson).toContain("awaiting the security assessment");
    expect(statusJson).toContain("Why tier 3");
    const [post] = await outboxFor(t, "post", PEOPLE.requester);
    expect(post?.ref).toBe(`adr-${adr.id}-status`);
    expect(t.fake.violations).toEqual([]);
  });

  it("keeps each step as a draft, so the last step alone completes it", async () => {
    const values = formValues();
    const { final } = await fileRequest(t, PEOPLE.business, values);
    expect(final.response_action).toBe("update");
    const { adrs } = await adrsOfAgent(t, values["agent_metadata.name"]!);
    expect(adrs).toHaveLength(1);
  });

  it("notifies the board at submission of a tier 4 request", async () => {
    const values = formValues({ "risk_assessment.can_make_financial_transactions": "true" });
    const { final } = await fileRequest(t, PEOPLE.engineering, {
      ...values,
      "agent_metadata.business_owner": PEOPLE.engineering,
    });
    expect(final.response_action).toBe("update");
    const { adrs } = await adrsOfAgent(t, values["agent_metadata.name"]!);
    expect(adrs[0]!.tier).toBe(4);
    const board = await t.fake.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.channel === t.config.channels.board,
    );
    expect(JSON.stringify(board[0]!.args)).toContain("Tier 4 (critical)");
  });

  it("does not notify the board of a tier 3 request", async () => {
    const before = (await outboxFor(t, "post", t.config.channels.board)).length;
    await fileRequest(t, PEOPLE.ethics, formValues({ "agent_metadata.business_owner": PEOPLE.ethics }));
    expect((await outboxFor(t, "post", t.config.channels.board)).length).toBe(before);
  });
});

describe("/agent-request opening the form", () => {
  const opensOf = (triggerId: string | undefined) =>
    t.fake.callsTo("views.open").filter((c) => c.args.trigger_id === triggerId);

  it("sends step 1 exactly as rendered now (the copy kept ready is the current form)", async () => {
    const { res } = await openRequest(t, PEOPLE.outsider);
    const [sent] = opensOf(res.triggerId);
    expect(sent!.args.view).toEqual(JSON.parse(JSON.stringify(requestStepView(1, {}))));
  });

  it("still opens the form when Slack's first answer is an HTTP 500: the Web API client retries", async () => {
    t.fake.failNext("views.open", { status: 500 });
    const res = await t.slack.slashCommand("/agent-request", "", { userId: PEOPLE.outsider });
    expect(res.status).toBe(200);
    const [failed, opened] = await t.fake.waitFor(
      (c) => c.method === "views.open" && c.args.trigger_id === res.triggerId,
      { count: 2 },
    );
    expect(failed!.status).toBe(500);
    expect(opened!.ok).toBe(true);
    expect((opened!.args.view as { callback_id: string }).callback_id).toBe("adr_request");
  });

  it("tells the person, visible only to them, when Slack refuses to open the form", async () => {
    t.fake.failNext("views.open", { error: "expired_trigger_id" });
    const res = await t.slack.slashCommand("/agent-request", "", {
      userId: PEOPLE.outsider,
      channelId: "CREFUSED",
    });
    expect(res.status).toBe(200);
    const [note] = await t.fake.waitFor(
      (c) => c.method === "chat.postEphemeral" && c.args.channel === "CREFUSED",
    );
    expect(note!.args.user).toBe(PEOPLE.outsider);
    expect(String(note!.args.text)).toMatch(/something went wrong/);
    expect(opensOf(res.triggerId)).toHaveLength(1);
  });
});
