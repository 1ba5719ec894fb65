import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEntries, drafts, outbox } from "../../src/db/schema/index.ts";
import { PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import {
  ASSESSMENT_VALUES,
  adrsOfAgent,
  answerOf,
  assessmentState,
  fileRequest,
  formValues,
  initialOf,
  mrkdwnTexts,
  openRequest,
  postedTexts,
  stepState,
  submitStep,
  viewOf,
} from "../support/intake.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.governor.deps.db;
const draftOf = async (userId: string) =>
  (await db().select().from(drafts).where(eq(drafts.userId, userId)))[0];

describe("duplicate submissions", () => {
  it("makes one ADR of the same view_submission delivered twice at once, and of a later retry", async () => {
    const values = formValues({ "agent_metadata.business_owner": PEOPLE.business });
    const name = values["agent_metadata.name"]!;
    const { viewId } = await openRequest(t, PEOPLE.business);
    await submitStep(t, PEOPLE.business, viewId, 1, values);
    await submitStep(t, PEOPLE.business, viewId, 2, values);
    const answers = (
      await Promise.all([1, 2, 3].map(() => submitStep(t, PEOPLE.business, viewId, 3, values)))
    ).map(answerOf);
    const retry = answerOf(await submitStep(t, PEOPLE.business, viewId, 3, values));
    for (const a of [...answers, retry]) {
      expect(a.response_action).toBe("update");
      expect(JSON.stringify(a.view)).toMatch(/Request submitted/);
    }
    const { agent, adrs } = await adrsOfAgent(t, name);
    expect(adrs).toHaveLength(1);
    const submittedEntries = await db()
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.agentId, agent!.id), eq(auditEntries.eventType, "adr_submitted")));
    expect(submittedEntries).toHaveLength(1);
    const dms = await db()
      .select()
      .from(outbox)
      .where(and(eq(outbox.op, "dm"), eq(outbox.target, PEOPLE.techOwner)));
    expect(dms.filter((d) => JSON.stringify(d.payload).includes(name))).toHaveLength(1);
  });
});

describe("drafts", () => {
  it("keeps the answers of a modal closed by accident and offers to continue them", async () => {
    const user = PEOPLE.steward;
    const values = formValues({ "agent_metadata.business_owner": user });
    const { viewId } = await openRequest(t, user);
    await submitStep(t, user, viewId, 1, values);
    const typed = { ...values, "agent_capabilities.llm_provider": "Claude 4" };
    const closed = await t.slack.viewClosed({
      userId: user,
      viewId,
      callbackId: "adr_request",
      privateMetadata: JSON.stringify({ step: 2 }),
      view: { state: { values: stepState(2, typed) } },
    });
    expect(closed.status).toBe(200);
    expect((await draftOf(user))?.content).toMatchObject({ step: 2 });

    const prompt = await openRequest(t, user);
    expect(prompt.view.callback_id).toBe("adr_draft_prompt");
    expect(JSON.stringify(prompt.view.blocks)).toContain("Continue draft");
    expect(JSON.stringify(prompt.view.blocks)).toContain("Start over");

    await t.slack.blockAction({ userId: user, actionId: "adr_draft_continue", viewId: prompt.viewId });
    const [update] = await t.fake.waitFor(
      (c) => c.method === "views.update" && c.args.view_id === prompt.viewId,
    );
    const step2 = viewOf(update);
    expect(step2.private_metadata).toBe(JSON.stringify({ step: 2 }));
    expect(initialOf(step2, "agent_capabilities.llm_provider")).toBe("Claude 4");

    // Back to step 1 keeps what was typed on step 2 and shows step 1 filled in.
    const back = { ...typed, "agent_capabilities.llm_provider": "Claude 5" };
    await t.slack.blockAction({
      userId: user,
      actionId: "adr_request_back",
      viewId: prompt.viewId,
      view: { private_metadata: JSON.stringify({ step: 2 }) },
      stateValues: stepState(2, back),
    });
    const updates = await t.fake.waitFor(
      (c) => c.method === "views.update" && c.args.view_id === prompt.viewId,
      {
        count: 2,
      },
    );
    const step1 = viewOf(updates[1]);
    expect(initialOf(step1, "agent_metadata.name")).toBe(values["agent_metadata.name"]);
    expect((await draftOf(user))?.content).toMatchObject({
      step: 1,
      values: { "agent_capabilities.llm_provider": "Claude 5" },
    });
  });

  it("starts over with an empty form and no draft", async () => {
    const user = PEOPLE.oncall;
    const { viewId } = await openRequest(t, user);
    await submitStep(t, user, viewId, 1, formValues({ "agent_metadata.business_owner": user }));
    const prompt = await openRequest(t, user);
    await t.slack.blockAction({ userId: user, actionId: "adr_draft_start_over", viewId: prompt.viewId });
    const [update] = await t.fake.waitFor(
      (c) => c.method === "views.update" && c.args.view_id === prompt.viewId,
    );
    const view = viewOf(update);
    expect(initialOf(view, "agent_metadata.name")).toBeUndefined();
    expect(await draftOf(user)).toBeUndefined();
    expect((await openRequest(t, user)).view.callback_id).toBe("adr_request");
  });

  it("leaves no draft when an untouched form is closed", async () => {
    const user = PEOPLE.ethics;
    const { viewId } = await openRequest(t, user);
    await t.slack.viewClosed({
      userId: user,
      viewId,
      callbackId: "adr_request",
      view: { state: { values: stepState(1, {}) } },
    });
    expect(await draftOf(user)).toBeUndefined();
  });
});

describe("mention and formatting injection in the agent's name", () => {
  it("is escaped in every message posted, updated or answered", async () => {
    const name = `<!channel> *bold* <@U0HACKER1> _it_ ~s~ \`c\` <https://evil.example|x>`;
    const values = formValues({
      "agent_metadata.name": name,
      "agent_metadata.business_owner": PEOPLE.coChair,
    });
    const before = t.fake.calls.length;
    const { final } = await fileRequest(t, PEOPLE.coChair, values);
    expect(final.response_action).toBe("update");
    const { adrs } = await adrsOfAgent(t, name);
    await t.slack.viewSubmission({
      userId: PEOPLE.techOwner,
      viewId: "VINJECT0001",
      callbackId: "adr_security_assessment",
      privateMetadata: String(adrs[0]!.id),
      values: assessmentState(ASSESSMENT_VALUES),
    });
    await t.slack.slashCommand("/agent-inventory", "", { userId: PEOPLE.coChair });
    await t.slack.slashCommand("/agent-inventory", name, { userId: PEOPLE.coChair });
    await t.fake.waitFor((c) => c.method === "chat.update" && JSON.stringify(c.args).includes("in review"));
    await t.fake.waitFor("response_url", { count: 2 });
    const texts = postedTexts(t.fake.calls.slice(before));
    expect(texts.length).toBeGreaterThanOrEqual(5);
    for (const text of [...texts, ...mrkdwnTexts(final.view)]) {
      expect(text).not.toContain("<!channel>");
      expect(text).not.toContain("<@U0HACKER1>");
      expect(text).not.toContain("<https://evil");
      expect(text).not.toContain("*bold*");
    }
    expect(texts.some((x) => x.includes("&lt;!channel&gt;"))).toBe(true);
  });
});
