import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ADR_FIELDS, type Adr, SECURITY_ASSESSMENT_FIELDS } from "../../src/domain/adr.ts";
import {
  adrToFormValues,
  type FormValues,
  fieldsOfStep,
  formErrors,
  formToAdr,
  formToSecurityAssessment,
  overlongFields,
  readViewState,
} from "../../src/domain/adr-form.ts";
import { listFromText, thresholdsFromText, toolsFromText } from "../../src/domain/adr-form-text.ts";
import { agentNameKey, firstStepSeparationProblems, summariseIssues } from "../../src/domain/adr-intake.ts";
import { parseAdrYaml } from "../../src/domain/adr-yaml.ts";

function example(): Adr {
  const parsed = parseAdrYaml(
    readFileSync(new URL("../fixtures/customer-onboarding-agent.yaml", import.meta.url), "utf8")
      .replace("jane.smith@company.com", "UBIZ000001")
      .replace("engineering-team@company.com", "UTECH00001"),
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return {
    ...parsed.adr,
    risk_assessment: {
      can_write_to_db: true,
      can_send_external_communications: true,
      handles_regulated_data: false,
      can_make_financial_transactions: false,
      has_human_review_of_all_outputs: false,
    },
  };
}

const valuesWith = (over: FormValues): FormValues => ({ ...adrToFormValues(example()), ...over });
const errorsOf = (values: FormValues) => {
  const r = formToAdr(values);
  if (r.ok) throw new Error("expected problems");
  return r.errors;
};

describe("reading Slack's view state", () => {
  it("takes each element's value by kind, keyed by block_id, whatever the action_id", () => {
    const state = {
      "agent_metadata.name": { anything: { type: "plain_text_input", value: "Bot" } },
      "agent_metadata.business_owner": { value: { type: "users_select", selected_user: "U1234567" } },
      "agent_metadata.proposed_production_date": {
        value: { type: "datepicker", selected_date: "2030-01-02" },
      },
      "agent_metadata.deployment_environment": {
        value: { type: "static_select", selected_option: { value: "staging", text: {} } },
      },
      "risk_assessment.can_write_to_db": {
        value: { type: "radio_buttons", selected_option: { value: "false" } },
      },
      "business_justification.estimated_monthly_interactions": {
        value: { type: "number_input", value: "12" },
      },
      "agent_metadata.version": { value: { type: "plain_text_input", value: "" } },
      "not.a.field": { value: { type: "plain_text_input", value: "ignored" } },
    };
    expect(readViewState(state, fieldsOfStep(1))).toEqual({
      "agent_metadata.name": "Bot",
      "agent_metadata.business_owner": "U1234567",
      "agent_metadata.proposed_production_date": "2030-01-02",
      "agent_metadata.deployment_environment": "staging",
      "risk_assessment.can_write_to_db": "false",
      "business_justification.estimated_monthly_interactions": "12",
      "agent_metadata.version": null,
    });
  });

  it("reads nothing from garbage", () => {
    expect(readViewState(null, ADR_FIELDS)).toEqual({});
    expect(readViewState({ "agent_metadata.name": "x" }, ADR_FIELDS)).toEqual({});
  });
});

describe("the text forms of list-like fields", () => {
  it("takes one item per line, dropping bullets and blank lines but keeping line numbers", () => {
    expect(listFromText("- a\n\n• b\r\n  * c  \n")).toEqual({ items: ["a", "b", "c"], lines: [1, 3, 4] });
  });

  it.each([
    [
      "read_db | read-only | looks things up",
      { name: "read_db", permissions: "read-only", description: "looks things up" },
    ],
    ["read_db: read-only: customers", { name: "read_db", permissions: "read-only: customers" }],
    ["- send_mail | to the customer only", { name: "send_mail", permissions: "to the customer only" }],
  ])("reads the tool line %j", (line, tool) => {
    expect(toolsFromText(line)).toEqual({ ok: true, tools: [tool], lines: [1] });
  });

  it.each([
    ["a | b\nno_permissions", /^line 2: write one tool per line/],
    ["a | b\n | write", /^line 2: needs both a tool name and its permissions/],
  ])("refuses the tools %j", (text, message) => {
    const r = toolsFromText(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it("reads thresholds written with : or =", () => {
    expect(thresholdsFromText("error_rate: 0.05\nlatency_ms = 5e3\n")).toEqual({
      ok: true,
      thresholds: { error_rate: 0.05, latency_ms: 5000 },
    });
  });

  it.each([
    ["error_rate", "line 1: write one threshold per line"],
    ["a: 1\nb: lots", "line 2: the threshold must be a number"],
    ["a: 1\na = 2", "line 2: this metric already has a threshold"],
  ])("refuses the thresholds %j", (text, message) => {
    const r = thresholdsFromText(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
  });
});

describe("form values ⇔ ADR", () => {
  it("round-trips the framework's example (with its risk factors) through the form", () => {
    const adr = example();
    const back = formToAdr(adrToFormValues(adr));
    expect(back).toEqual({ ok: true, value: adr });
  });

  it("round-trips a security assessment through its modal", () => {
    const adr = example();
    const values = adrToFormValues(adr, SECURITY_ASSESSMENT_FIELDS);
    expect(formToSecurityAssessment(values)).toEqual({ ok: true, value: adr.security_assessment });
  });

  it("reports each problem on the block of its field, with the line inside lists", () => {
    expect(
      errorsOf(
        valuesWith({
          "agent_metadata.name": null,
          "business_justification.estimated_monthly_interactions": "12.5",
          "agent_capabilities.tools_requested": "a | read\nb | write\na | again",
          "monitoring_plan.alert_thresholds": "bad name!: 1",
          "business_justification.success_metrics": `ok\n\n${"x".repeat(201)}`,
          "compliance_assessment.gdpr_basis": null,
          "agent_capabilities.regulated_data": "maybe",
          "agent_metadata.business_owner": "someone",
        }),
      ),
    ).toEqual({
      "agent_metadata.name": "is required",
      "business_justification.estimated_monthly_interactions": "must be a whole number",
      "agent_capabilities.tools_requested": "line 3, name: names a tool that is already listed",
      "monitoring_plan.alert_thresholds":
        "bad name!: must be a metric name: letters, digits, _ or -, at most 80 characters",
      "business_justification.success_metrics": "line 3: must be at most 200 characters",
      "compliance_assessment.gdpr_basis": "is required when gdpr_applicable is true",
      "agent_capabilities.regulated_data": "must be yes or no",
      "agent_metadata.business_owner": "must be an e-mail address or a Slack user id like U012AB3CD",
    });
  });

  it("judges only the fields of the step shown", () => {
    const values = valuesWith({ "agent_metadata.name": null, "compliance_assessment.gdpr_basis": null });
    expect(formErrors(values, fieldsOfStep(1))).toEqual({ "agent_metadata.name": "is required" });
    expect(formErrors(values, fieldsOfStep(2))).toEqual({});
    expect(formErrors(values, fieldsOfStep(3))).toEqual({
      "compliance_assessment.gdpr_basis": "is required when gdpr_applicable is true",
    });
  });

  it("leaves optional fields out when empty, and defaults the environment", () => {
    const r = formToAdr(
      valuesWith({
        "agent_metadata.data_steward": null,
        "agent_metadata.deployment_environment": null,
        "security_assessment.threat_model_completed": null,
        "security_assessment.threat_model_document": null,
        "security_assessment.prompt_injection_mitigations": null,
        "security_assessment.data_minimization_implemented": null,
        "security_assessment.audit_logging_configured": null,
        "security_assessment.incident_response_runbook": null,
      }),
    );
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.agent_metadata.deployment_environment).toBe("production");
      expect("data_steward" in r.value.agent_metadata).toBe(false);
      expect(r.value.security_assessment).toBeUndefined();
    }
  });

  it("prefixes the assessment modal's problems with security_assessment", () => {
    const values = adrToFormValues(example(), SECURITY_ASSESSMENT_FIELDS);
    const r = formToSecurityAssessment({ ...values, "security_assessment.audit_logging_configured": null });
    expect(r).toEqual({
      ok: false,
      errors: { "security_assessment.audit_logging_configured": "is required" },
    });
  });

  it("finds values too long for a Slack input", () => {
    expect(overlongFields({ a: "x".repeat(3001), b: "y", c: null })).toEqual({
      a: "is 3001 characters as text; a Slack input holds at most 3000",
    });
  });
});

describe("intake rules", () => {
  it("compares names case-insensitively, ignoring compatibility forms and runs of spaces", () => {
    expect(agentNameKey("  Customer   Onboarding ＡＧＥＮＴ ")).toBe("customer onboarding agent");
  });

  const step1 = (over: FormValues): FormValues => ({
    "risk_assessment.can_write_to_db": "false",
    "risk_assessment.can_send_external_communications": "false",
    "risk_assessment.handles_regulated_data": "false",
    "risk_assessment.can_make_financial_transactions": "false",
    "risk_assessment.has_human_review_of_all_outputs": "true",
    "business_justification.user_population": "internal",
    "agent_metadata.business_owner": "UBIZ000001",
    "agent_metadata.technical_owner": "UTECH00001",
    ...over,
  });

  it.each([
    [
      "tier 1, technical owner = business owner",
      { "agent_metadata.technical_owner": "UBIZ000001" },
      "UREQ000001",
      /different person/,
    ],
    ["tier 1, technical owner submits", {}, "UTECH00001", /nobody signs off a request they submitted/],
    [
      "tier 3, same owners",
      {
        "risk_assessment.handles_regulated_data": "true",
        "risk_assessment.can_send_external_communications": "true",
        "agent_metadata.technical_owner": "UBIZ000001",
      },
      "UBIZ000001",
      undefined,
    ],
    ["tier 1, distinct people", {}, "UBIZ000001", undefined],
    [
      "factors missing",
      { "risk_assessment.can_write_to_db": null, "agent_metadata.technical_owner": "UBIZ000001" },
      "UBIZ000001",
      undefined,
    ],
  ])("separation of duties at step 1: %s", (_label, over, requester, problem) => {
    const problems = firstStepSeparationProblems(step1(over), requester);
    if (problem === undefined) expect(problems).toEqual({});
    else expect(problems["agent_metadata.technical_owner"]).toMatch(problem);
  });

  it("summarises many problems: the first ten, then how many more", () => {
    const issues = Array.from({ length: 13 }, (_, i) => ({ path: `a.b${i}`, message: "is wrong" }));
    const text = summariseIssues(issues);
    expect(text.split("\n")).toHaveLength(12);
    expect(text).toMatch(/^13 problems:\na\.b0: is wrong\n/);
    expect(text).toContain("… and 3 more");
  });
});
