import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import {
  ADR_FIELDS,
  type AdrField,
  adrSchema,
  formatAdrIssue,
  LIMITS,
  MAX_REPORTED_ISSUES,
  ownerKind,
  SECURITY_ASSESSMENT_FIELDS,
  securityAssessmentSchema,
  validateAdr,
} from "../../src/domain/adr.ts";

const example: Record<string, unknown> = parse(
  readFileSync(new URL("../fixtures/customer-onboarding-agent.yaml", import.meta.url), "utf8"),
);

/** The example with one dotted path set (undefined removes it). */
function exampleWith(path: string, value: unknown): unknown {
  const copy: Record<string, unknown> = structuredClone(example);
  const keys = path.split(".");
  const last = keys.pop()!;
  let node: Record<string, unknown> = copy;
  for (const key of keys) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function issuesOf(input: unknown) {
  const result = validateAdr(input);
  if (result.ok) throw new Error("expected the ADR to be refused");
  return result.issues;
}

describe("the ADR schema", () => {
  it("accepts the framework's example ADR and fills in the production default", () => {
    const result = validateAdr(example);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.adr.agent_metadata.deployment_environment).toBe("production");
  });

  it("accepts an ADR without a security assessment (the technical owner completes it later)", () => {
    expect(validateAdr(exampleWith("security_assessment", undefined)).ok).toBe(true);
  });

  it("trims every string", () => {
    const result = validateAdr(exampleWith("agent_metadata.name", "   Onboarding Agent \n "));
    expect(result.ok && result.adr.agent_metadata.name).toBe("Onboarding Agent");
  });

  const AM = "agent_metadata";
  const BJ = "business_justification";
  const AC = "agent_capabilities";
  const MP = "monitoring_plan";
  it.each([
    [`${AM}.name`, undefined, "is required"],
    [`${AM}.version`, "  ", "must not be empty"],
    [`${AM}.version`, 1.0, "must be text (in YAML, put the value in quotes)"],
    [`${AM}.proposed_production_date`, "2026-02-30", "must be a date like 2026-04-15"],
    [`${AM}.proposed_production_date`, "15/04/2026", "must be a date like 2026-04-15"],
    [`${AM}.deployment_environment`, "prod", "must be one of: development, staging, production"],
    [`${AM}.business_owner`, "<!channel>", "must be an e-mail address or a Slack user id like U012AB3CD"],
    [`${BJ}.user_population`, "everyone", "must be one of: internal, external, regulated-users"],
    [`${BJ}.estimated_monthly_interactions`, -1, "must be 0 or more"],
    [`${BJ}.estimated_monthly_interactions`, 2.5, "must be a whole number"],
    [`${BJ}.success_metrics`, "speed", "must be a list"],
    [`${AC}.regulated_data`, "yes", "must be true or false"],
    [`${AC}.tools_requested.1.name`, undefined, "is required"],
    [`${AC}.tools_requested.2.name`, "send_welcome_email", "names a tool that is already listed"],
    [`${MP}.alert_thresholds.latency_p95_ms`, "5s", "must be a number"],
    [`${MP}.alert_thresholds.latency_p95_ms`, Number.POSITIVE_INFINITY, "must be a number"],
    [
      `${MP}.alert_thresholds.bad name`,
      1,
      "must be a metric name: letters, digits, _ or -, at most 80 characters",
    ],
    [
      MP,
      "daily",
      "must be a mapping with the fields: metrics_tracked, alert_thresholds, human_review_triggers, review_cadence",
    ],
    [
      "security_assessment.threat_model_document",
      undefined,
      "is required when threat_model_completed is true",
    ],
    ["compliance_assessment.gdpr_basis", undefined, "is required when gdpr_applicable is true"],
  ])("reports %s set to %j at its exact path: %s", (path, value, message) => {
    expect(issuesOf(exampleWith(path, value))).toEqual([{ path, message }]);
  });

  it("names an unknown key by its own path and suggests the field meant", () => {
    expect(issuesOf(exampleWith("agent_metadata.nmae", "x"))).toEqual([
      { path: "agent_metadata.nmae", message: 'is not a field of the ADR; did you mean "name"?' },
    ]);
  });

  it("lists the allowed fields when an unknown key is nothing like them", () => {
    const [issue] = issuesOf(exampleWith("agent_capabilities.tools_requested.0.owner_email", "x"));
    expect(issue).toEqual({
      path: "agent_capabilities.tools_requested.0.owner_email",
      message: "is not a field of the ADR; the fields here are: name, permissions, description",
    });
  });

  it("refuses an unknown top-level block", () => {
    expect(issuesOf(exampleWith("approval_override", { tier: 1 }))[0]?.path).toBe("approval_override");
  });

  it("shortens and cleans a hostile unknown key before quoting it in a path", () => {
    const [issue] = issuesOf(exampleWith(`x\u0007${"y".repeat(500)}`, 1));
    expect(issue?.path.length).toBeLessThanOrEqual(40);
    expect(issue?.path).not.toMatch(/\u0007/);
  });

  it.each([
    ["a name", "agent_metadata.name", LIMITS.name],
    ["short text", "agent_capabilities.llm_provider", LIMITS.shortText],
    ["long text", "business_justification.problem_statement", LIMITS.longText],
  ])("refuses %s longer than its limit without echoing it", (_what, path, max) => {
    expect(validateAdr(exampleWith(path, "x".repeat(max))).ok).toBe(true);
    const issues = issuesOf(exampleWith(path, "x".repeat(1_000_000)));
    expect(issues).toEqual([{ path, message: `must be at most ${max} characters` }]);
  });

  it.each([
    [
      "a bell in a name",
      "agent_metadata.name",
      "Agent\u0007",
      "must be a single line without control characters",
    ],
    [
      "a line break in a name",
      "agent_metadata.name",
      "Agent\nTwo",
      "must be a single line without control characters",
    ],
    [
      "a NUL in long text",
      "business_justification.problem_statement",
      "a\u0000b",
      "must not contain control characters (line breaks and tabs are fine)",
    ],
    [
      "a bidi override",
      "agent_capabilities.tools_requested.0.permissions",
      "read\u202Eetirw",
      "must be a single line without control characters",
    ],
  ])("refuses %s", (_what, path, value, message) => {
    expect(issuesOf(exampleWith(path, value))).toEqual([{ path, message }]);
  });

  it("accepts line breaks and tabs in long text, with CR LF made LF", () => {
    const result = validateAdr(exampleWith("business_justification.problem_statement", "One\r\n\tTwo"));
    expect(result.ok && result.adr.business_justification.problem_statement).toBe("One\n\tTwo");
  });

  it.each([
    ["tools", "agent_capabilities.tools_requested", LIMITS.tools, { name: "t", permissions: "p" }],
    ["list items", "agent_capabilities.data_processed", LIMITS.listItems, "email"],
  ])("caps %s", (_what, path, max, item) => {
    const items = Array.from({ length: max + 1 }, (_, i) =>
      typeof item === "string" ? item : { ...item, name: `t${i}` },
    );
    expect(issuesOf(exampleWith(path, items))).toContainEqual({
      path,
      message: `must have at most ${max} items`,
    });
  });

  it("lists every problem at once", () => {
    const input = structuredClone(example) as Record<string, Record<string, unknown>>;
    delete input["agent_metadata"]!["name"];
    input["business_justification"]!["user_population"] = "everyone";
    input["compliance_assessment"]!["eu_ai_act_classification"] = "low";
    input["monitoring_plan"]!["extra"] = 1;
    expect(issuesOf(input).map(formatAdrIssue)).toEqual([
      "agent_metadata.name: is required",
      "business_justification.user_population: must be one of: internal, external, regulated-users",
      "compliance_assessment.eu_ai_act_classification: must be one of: minimal_risk, limited_risk, high_risk, unacceptable_risk, not_applicable",
      "monitoring_plan.extra: is not a field of the ADR; the fields here are: metrics_tracked, alert_thresholds, human_review_triggers, review_cadence",
    ]);
  });

  it(`stops listing after ${MAX_REPORTED_ISSUES} problems and says how many more there are`, () => {
    const junk = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`junk${i}`, 1]));
    const issues = issuesOf({ ...example, ...junk });
    expect(issues).toHaveLength(MAX_REPORTED_ISSUES + 1);
    expect(issues.at(-1)).toEqual({ path: "", message: "and 50 more problems not listed" });
  });

  it("refuses a root that is not a mapping", () => {
    expect(issuesOf(["agent"])[0]?.path).toBe("");
  });
});

describe("ownerKind", () => {
  it.each([
    ["jane.smith@company.com", "email"],
    ["U012AB3CD", "slack_user"],
    ["W0123ABC", "slack_user"],
    ["u012ab3cd", undefined],
    ["<@U012AB3CD>", undefined],
    ["jane@localhost", undefined],
    ["jane smith@company.com", undefined],
    ["", undefined],
  ])("classifies %j as %s", (value, kind) => {
    expect(ownerKind(value)).toBe(kind);
  });
});

describe("the security assessment on its own", () => {
  it("accepts the example's assessment and refuses one with a missing field", () => {
    const assessment = example["security_assessment"] as Record<string, unknown>;
    expect(securityAssessmentSchema.safeParse(assessment).success).toBe(true);
    const { audit_logging_configured: _, ...partial } = assessment;
    expect(securityAssessmentSchema.safeParse(partial).success).toBe(false);
  });
});

// The catalogue that builds the modal must describe exactly the schema's leaves.
type Leaf = { path: string; schema: z.ZodType };

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  return s;
}

function leaves(schema: z.ZodObject, prefix: string): Leaf[] {
  return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, child]) => {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    const inner = unwrap(child);
    return inner instanceof z.ZodObject ? leaves(inner, path) : [{ path, schema: child }];
  });
}

function kindOf(schema: z.ZodType): AdrField["kind"][] {
  const s = unwrap(schema);
  if (s instanceof z.ZodString)
    return s.maxLength === LIMITS.longText ? ["long_text"] : ["text", "user", "date"];
  if (s instanceof z.ZodEnum) return ["select"];
  if (s instanceof z.ZodBoolean) return ["boolean"];
  if (s instanceof z.ZodNumber) return ["number"];
  if (s instanceof z.ZodRecord) return ["thresholds"];
  if (s instanceof z.ZodArray) return s.element instanceof z.ZodObject ? ["tools"] : ["list"];
  return [];
}

function maxItemsOf(array: z.ZodArray): number | undefined {
  const defs = (array.def.checks ?? []).map((c) => c._zod.def as { check: string; maximum?: number });
  return defs.find((d) => d.check === "max_length")?.maximum;
}

describe("the field catalogues", () => {
  const schemaLeaves = leaves(adrSchema, "");
  const catalogue = [...ADR_FIELDS, ...SECURITY_ASSESSMENT_FIELDS];

  it("have exactly one entry per leaf of the schema, and no entry without a leaf", () => {
    expect(catalogue.map((f) => f.path).sort()).toEqual(schemaLeaves.map((l) => l.path).sort());
    expect(new Set(catalogue.map((f) => f.path)).size).toBe(catalogue.length);
  });

  it("keep the security assessment apart from the ADR form", () => {
    expect(ADR_FIELDS.every((f) => !f.path.startsWith("security_assessment."))).toBe(true);
    expect(SECURITY_ASSESSMENT_FIELDS.every((f) => f.path.startsWith("security_assessment."))).toBe(true);
  });

  it.each(schemaLeaves)("agree with the schema on $path", ({ path, schema }) => {
    const field = catalogue.find((f) => f.path === path)!;
    const inner = unwrap(schema);
    expect(kindOf(schema)).toContain(field.kind);
    expect(field.optional).toBe(schema.safeParse(undefined).success);
    if (inner instanceof z.ZodEnum) expect(field.options).toEqual(inner.options);
    else expect(field.options).toBeUndefined();
    if (inner instanceof z.ZodString) expect(field.maxLength).toBe(inner.maxLength ?? undefined);
    if (inner instanceof z.ZodArray) {
      expect(field.maxItems).toBe(maxItemsOf(inner));
      const item = unwrap(inner.element as z.ZodType);
      if (item instanceof z.ZodString) expect(field.maxLength).toBe(item.maxLength);
    }
  });

  it("group the ADR form into at most three steps, in order", () => {
    const steps = ADR_FIELDS.map((f) => f.step);
    expect(steps).toEqual([...steps].sort());
    expect(new Set(steps)).toEqual(new Set([1, 2, 3]));
    expect(ADR_FIELDS.filter((f) => f.path.startsWith("risk_assessment.")).every((f) => f.step === 1)).toBe(
      true,
    );
  });
});
