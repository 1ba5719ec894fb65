import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adrs, auditEntries } from "../../src/db/schema/index.ts";
import { PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import {
  ASSESSMENT_VALUES,
  adrsOfAgent,
  answerOf,
  assessmentState,
  auditTypes,
  fileRequest,
  formValues,
  viewOf,
} from "../support/intake.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** A submitted request and the technical owner's DM (delivered by the outbox) carrying its button. */
async function submitted() {
  const values = formValues();
  const name = values["agent_metadata.name"]!;
  await fileRequest(t, PEOPLE.requester, values);
  const { agent, adrs: rows } = await adrsOfAgent(t, name);
  const adrId = rows[0]!.id;
  const [dm] = await t.fake.waitFor(
    (c) =>
      c.method === "chat.postMessage" &&
      c.args.channel === `D${PEOPLE.techOwner}` &&
      JSON.stringify(c.args.blocks).includes(`"value":"${adrId}"`),
  );
  return {
    name,
    adrId,
    agentId: agent!.id,
    dm: { ts: String(dm!.response.ts), channel: String(dm!.response.channel) },
  };
}

const click = (userId: string, adrId: number, message: { ts: string; channel: string }) =>
  t.slack.blockAction({ userId, actionId: "adr_assessment_open", value: String(adrId), message });

const submitAssessment = (userId: string, viewId: string, adrId: number, values = ASSESSMENT_VALUES) =>
  t.slack.viewSubmission({
    userId,
    viewId,
    callbackId: "adr_security_assessment",
    privateMetadata: String(adrId),
    values: assessmentState(values),
  });

describe("the technical owner's security self-assessment", () => {
  it("opens the assessment modal for the technical owner, one input per framework field", async () => {
    const { adrId, dm } = await submitted();
    const res = await click(PEOPLE.techOwner, adrId, dm);
    const [open] = await t.fake.waitFor(
      (c) => c.method === "views.open" && c.args.trigger_id === res.triggerId,
    );
    const view = viewOf(open) as unknown as { callback_id: string; blocks: { block_id?: string }[] };
    expect(view.callback_id).toBe("adr_security_assessment");
    expect(view.blocks.map((b) => b.block_id).filter((b) => b?.startsWith("security_assessment."))).toEqual([
      "security_assessment.threat_model_completed",
      "security_assessment.threat_model_document",
      "security_assessment.prompt_injection_mitigations",
      "security_assessment.data_minimization_implemented",
      "security_assessment.audit_logging_configured",
      "security_assessment.incident_response_runbook",
    ]);
  });

  it("refuses anyone else ephemerally, audits access_denied and changes nothing", async () => {
    const { adrId, agentId, dm } = await submitted();
    const res = await click(PEOPLE.outsider, adrId, dm);
    const [eph] = await t.fake.waitFor(
      (c) =>
        c.method === "chat.postEphemeral" &&
        c.args.user === PEOPLE.outsider &&
        String(c.args.text).includes("technical owner"),
    );
    expect(eph!.args.channel).toBe(dm.channel);
    expect(t.fake.calls.some((c) => c.method === "views.open" && c.args.trigger_id === res.triggerId)).toBe(
      false,
    );

    // Even a forged submission of the modal is refused.
    const answer = answerOf(await submitAssessment(PEOPLE.outsider, "VFORGED0001", adrId));
    expect(JSON.stringify(answer.view)).toContain("Only the technical owner");
    const [row] = await t.governor.deps.db.select().from(adrs).where(eq(adrs.id, adrId));
    expect(row!.status).toBe("awaiting_security_assessment");
    expect(row!.securityAssessment).toBeNull();
    expect(await auditTypes(t, agentId)).toEqual([
      "adr_submitted",
      "tier_assigned",
      "access_denied",
      "access_denied",
    ]);
    const denied = await t.governor.deps.db
      .select()
      .from(auditEntries)
      .where(eq(auditEntries.eventType, "access_denied"));
    expect(JSON.stringify(denied.map((d) => d.data))).not.toContain(PEOPLE.outsider);
  });

  it("flags a threat model without its document on that block", async () => {
    const { adrId } = await submitted();
    const values = { ...ASSESSMENT_VALUES, "security_assessment.threat_model_document": null };
    const answer = answerOf(await submitAssessment(PEOPLE.techOwner, "VASSESS0001", adrId, values));
    expect(answer).toEqual({
      response_action: "errors",
      errors: {
        "security_assessment.threat_model_document": "is required when threat_model_completed is true",
      },
    });
  });

  it("moves the request to review, audits, updates the requester's status and opens the review once", async () => {
    const { adrId, agentId } = await submitted();
    const answer = answerOf(await submitAssessment(PEOPLE.techOwner, "VASSESS0002", adrId));
    expect(JSON.stringify(answer.view)).toContain("now in review");
    const [row] = await t.governor.deps.db.select().from(adrs).where(eq(adrs.id, adrId));
    expect(row).toMatchObject({ status: "in_review", assessedBy: PEOPLE.techOwner });
    expect(row!.securityAssessment).toMatchObject({
      threat_model_completed: true,
      prompt_injection_mitigations: ["input_validation", "tool_scoping"],
    });
    const types = await auditTypes(t, agentId);
    expect(types.slice(0, 3)).toEqual(["adr_submitted", "tier_assigned", "security_assessment_completed"]);
    await t.fake.waitFor(
      (c) =>
        c.method === "chat.update" &&
        JSON.stringify(c.args.blocks).includes(`Request #${adrId}`) &&
        JSON.stringify(c.args.blocks).includes("in review"),
    );

    // A second submission (double click) is refused: still one assessment entry.
    const again = answerOf(await submitAssessment(PEOPLE.techOwner, "VASSESS0002", adrId));
    expect(JSON.stringify(again.view)).toContain("already complete");
    const after = await auditTypes(t, agentId);
    expect(after.filter((x) => x === "security_assessment_completed")).toHaveLength(1);
    expect(after.filter((x) => x === "review_started")).toHaveLength(1);
  });

  it("tells the technical owner when the assessment is already done", async () => {
    const { adrId, dm } = await submitted();
    await submitAssessment(PEOPLE.techOwner, "VASSESS0003", adrId);
    await click(PEOPLE.techOwner, adrId, dm);
    await t.fake.waitFor(
      (c) =>
        c.method === "chat.postEphemeral" &&
        c.args.user === PEOPLE.techOwner &&
        String(c.args.text).includes("already complete"),
    );
  });
});
