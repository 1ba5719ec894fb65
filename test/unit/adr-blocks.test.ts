import { INCIDENT_ACTIONS } from "../../src/slack/ids/incident.ts";
import { describe, expect, it } from "vitest";
import { securityAssessmentView } from "../../blocks/adr/assessment-form.ts";
import { adrDraftPromptView, adrImportView } from "../../blocks/adr/intake-views.ts";
import {
  agentRecordMessage,
  inventoryListMessage,
  type InventoryRecordModel,
} from "../../blocks/adr/inventory.ts";
import {
  type AdrMessageModel,
  adrStatusMessage,
  assessmentRequestMessage,
  boardSubmissionMessage,
} from "../../blocks/adr/messages.ts";
import { adrRequestStepView } from "../../blocks/adr/request-form.ts";
import { SECURITY_ASSESSMENT_FIELDS } from "../../src/domain/adr.ts";
import { type FormValues, fieldsOfStep } from "../../src/domain/adr-form.ts";
import { ADR_IDS } from "../../src/slack/ids/adr.ts";
import { validateBlocks, validateView } from "../fakes/blockkit.ts";

const HOSTILE = `<!channel> *${"W".repeat(70)}* <@U0HACKER1>`;
const long = (n: number) => "x".repeat(n);

/** Every field at its longest allowed text. */
function fullValues(step: 1 | 2 | 3): FormValues {
  const out: FormValues = {};
  for (const f of fieldsOfStep(step)) out[f.path] = long(Math.min(f.maxLength ?? 3000, 3000));
  return out;
}

const model = (over: Partial<AdrMessageModel> = {}): AdrMessageModel => ({
  adrId: 12,
  agentName: HOSTILE,
  adrVersion: long(80),
  version: 3,
  status: "awaiting_security_assessment",
  tier: 4,
  score: 9,
  reasons: Array.from({ length: 6 }, () => `reason ${long(300)} <@U1>`),
  requester: "UREQ000001",
  businessOwner: "UBIZ000001",
  technicalOwner: "UTECH00001",
  submittedAt: new Date("2030-01-01T00:00:00Z"),
  ...over,
});

describe("ADR intake views and messages stay within Slack's limits", () => {
  it.each([1, 2, 3] as const)("step %i of the form, empty and filled to the limits", (step) => {
    for (const values of [{}, fullValues(step)]) {
      const view = adrRequestStepView({
        step,
        fields: fieldsOfStep(step),
        values,
        notice: "notice",
        problems: [long(500), HOSTILE],
        privateMetadata: JSON.stringify({ step }),
        ids: ADR_IDS,
      });
      expect(validateView(view)).toEqual([]);
    }
  });

  it("the import, draft prompt and assessment modals", () => {
    expect(validateView(adrImportView(ADR_IDS))).toEqual([]);
    expect(
      validateView(adrDraftPromptView({ agentName: HOSTILE, step: 2, savedAt: new Date(), ids: ADR_IDS })),
    ).toEqual([]);
    const view = securityAssessmentView({
      agentName: HOSTILE,
      version: 1,
      fields: SECURITY_ASSESSMENT_FIELDS,
      values: {},
      privateMetadata: "12",
      ids: ADR_IDS,
    });
    expect(validateView(view)).toEqual([]);
  });

  it.each(["awaiting_security_assessment", "in_review", "superseded", "approved"])(
    "the status message (%s)",
    (status) => {
      const m = adrStatusMessage(model({ status }));
      expect(validateBlocks(m.blocks, "message")).toEqual([]);
      expect(m.text).not.toContain("<!channel>");
    },
  );

  it("the technical owner's DM and the board notice", () => {
    const dm = assessmentRequestMessage(model(), ADR_IDS);
    expect(validateBlocks(dm.blocks, "message")).toEqual([]);
    expect(JSON.stringify(dm.blocks)).toContain('"value":"12"');
    expect(validateBlocks(boardSubmissionMessage(model()).blocks, "message")).toEqual([]);
  });

  it("the inventory list of 500 agents and a record with 30 versions", () => {
    const row = {
      agent_name: HOSTILE,
      risk_tier: "4",
      status: "proposed",
      approval_status: "pending",
      business_owner: "UBIZ000001",
      next_review_date: null,
    };
    const list = inventoryListMessage(Array.from({ length: 500 }, () => row));
    expect(validateBlocks(list.blocks, "message")).toEqual([]);
    expect(JSON.stringify(list.blocks)).toContain("and 180 more");
    const record: InventoryRecordModel = {
      ...row,
      agent_id: "7",
      technical_owner: "UTECH00001",
      data_steward: null,
      security_reviewer: null,
      compliance_reviewer: null,
      approval_date: null,
      deployment_environment: "production",
      user_population: "external",
      deployed_at: null,
      suspended_reason: HOSTILE,
      current_adr_id: 30,
      versions: Array.from({ length: 30 }, (_, i) => ({
        adr_id: 30 - i,
        version: 30 - i,
        adr_version: long(80),
        status: "superseded",
        tier: 3,
        score: 5,
        tier_reasons: [long(400)],
        requester: "UREQ000001",
        submitted_at: "2030-01-01T00:00:00.000Z",
      })),
    };
    const m = agentRecordMessage(record);
    expect(validateBlocks(m.blocks, "message")).toEqual([]);
    expect(JSON.stringify(m.blocks)).toMatch(/and 1[0-9] earlier/);

    // The record offers "Declare incident" (the incident flow's own action id), except once decommissioned.
    const buttons = (blocks: unknown[]) =>
      blocks.flatMap((b) => (b as { elements?: { action_id?: string; value?: string }[] }).elements ?? []);
    expect(buttons(m.blocks)).toContainEqual(
      expect.objectContaining({ action_id: INCIDENT_ACTIONS.declareForAgent, value: "7" }),
    );
    expect(buttons(agentRecordMessage({ ...record, status: "decommissioned" }).blocks)).toEqual([]);
  });
});
