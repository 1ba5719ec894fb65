import { z } from "zod";
import {
  calendarDate,
  count,
  DEPLOYMENT_ENVIRONMENTS,
  EU_AI_ACT_CLASSIFICATIONS,
  GDPR_BASES,
  LIMITS,
  listOf,
  longText,
  mapping,
  nameText,
  oneOf,
  ownerRef,
  safeKey,
  shortText,
  thresholdMap,
  USER_POPULATIONS,
  yesNo,
} from "./adr-primitives.ts";

export { ADR_FIELDS, type AdrField, type AdrFieldKind, SECURITY_ASSESSMENT_FIELDS } from "./adr-fields.ts";
export {
  DEPLOYMENT_ENVIRONMENTS,
  EU_AI_ACT_CLASSIFICATIONS,
  GDPR_BASES,
  LIMITS,
  type OwnerKind,
  ownerKind,
  type UserPopulation,
  USER_POPULATIONS,
} from "./adr-primitives.ts";

/**
 * The Agent Deployment Request: the framework's `agent-deployment-request.yaml`
 * plus `agent_metadata.data_steward` and the optional `risk_assessment` block
 * (the six factors, asked explicitly by the form). This one schema drives the
 * YAML import, the modal (see ADR_FIELDS) and the error messages.
 */

/**
 * Cross-field rules run even when other fields of the same block are wrong,
 * so one report lists every problem; they read the partly parsed value
 * defensively (it is only known to be an object or array).
 */
const evenWithOtherProblems = {
  when: (payload: { value: unknown }) => typeof payload.value === "object" && payload.value !== null,
};

/** Completed by the technical owner after submission, so optional in the ADR itself. */
export const securityAssessmentSchema = mapping({
  threat_model_completed: yesNo(),
  threat_model_document: shortText().optional(),
  prompt_injection_mitigations: listOf(shortText()),
  data_minimization_implemented: yesNo(),
  audit_logging_configured: yesNo(),
  incident_response_runbook: shortText(),
}).superRefine((sa, ctx) => {
  if (sa.threat_model_completed === true && sa.threat_model_document === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["threat_model_document"],
      message: "is required when threat_model_completed is true",
    });
  }
}, evenWithOtherProblems);
export type SecurityAssessment = z.infer<typeof securityAssessmentSchema>;

const toolSchema = mapping({
  name: nameText(),
  permissions: shortText(),
  description: longText().optional(),
});

const toolList = listOf(toolSchema, LIMITS.tools).superRefine((tools, ctx) => {
  const seen = new Set<string>();
  tools.forEach((tool: { name?: unknown } | null, i) => {
    const name = tool?.name;
    if (typeof name !== "string") return;
    if (seen.has(name)) {
      ctx.addIssue({ code: "custom", path: [i, "name"], message: "names a tool that is already listed" });
    }
    seen.add(name);
  });
}, evenWithOtherProblems);

export const riskAssessmentSchema = mapping({
  can_write_to_db: yesNo(),
  can_send_external_communications: yesNo(),
  handles_regulated_data: yesNo(),
  can_make_financial_transactions: yesNo(),
  has_human_review_of_all_outputs: yesNo(),
  /** Absent: business_justification.user_population applies. */
  user_population: oneOf(USER_POPULATIONS).optional(),
});

export const adrSchema = mapping({
  agent_metadata: mapping({
    name: nameText(),
    version: nameText(),
    business_owner: ownerRef(),
    technical_owner: ownerRef(),
    data_steward: ownerRef().optional(),
    proposed_production_date: calendarDate(),
    deployment_environment: oneOf(DEPLOYMENT_ENVIRONMENTS).default("production"),
  }),
  business_justification: mapping({
    problem_statement: longText(),
    expected_outcome: longText(),
    success_metrics: listOf(shortText()),
    estimated_monthly_interactions: count(),
    user_population: oneOf(USER_POPULATIONS),
  }),
  risk_assessment: riskAssessmentSchema.optional(),
  agent_capabilities: mapping({
    tools_requested: toolList,
    llm_provider: shortText(),
    data_processed: listOf(shortText()),
    regulated_data: yesNo(),
    external_api_calls: yesNo(),
  }),
  security_assessment: securityAssessmentSchema.optional(),
  compliance_assessment: mapping({
    gdpr_applicable: yesNo(),
    gdpr_basis: oneOf(GDPR_BASES).optional(),
    data_processing_agreement_vendor: shortText().optional(),
    right_to_explanation_implemented: yesNo(),
    eu_ai_act_classification: oneOf(EU_AI_ACT_CLASSIFICATIONS),
  }).superRefine((ca, ctx) => {
    if (ca.gdpr_applicable === true && ca.gdpr_basis === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["gdpr_basis"],
        message: "is required when gdpr_applicable is true",
      });
    }
  }, evenWithOtherProblems),
  monitoring_plan: mapping({
    metrics_tracked: listOf(nameText()),
    alert_thresholds: thresholdMap(),
    human_review_triggers: listOf(shortText()),
    review_cadence: shortText(),
  }),
});

export type Adr = z.infer<typeof adrSchema>;
/** What a caller may hand to validateAdr (defaults not yet applied). */
export type AdrInput = z.input<typeof adrSchema>;
export type RiskAssessment = z.infer<typeof riskAssessmentSchema>;

/** One problem with an ADR; `path` is dotted (`agent_capabilities.tools_requested.1.name`), "" for the whole document. */
export interface AdrIssue {
  path: string;
  message: string;
}

export type AdrValidation = { ok: true; adr: Adr } | { ok: false; issues: AdrIssue[] };

/** More than this and the rest are summarised: a report nobody can read protects nobody. */
export const MAX_REPORTED_ISSUES = 100;

export function validateAdr(input: unknown): AdrValidation {
  const result = adrSchema.safeParse(input);
  if (result.success) return { ok: true, adr: result.data };
  const issues = result.error.issues.flatMap(toAdrIssues);
  if (issues.length <= MAX_REPORTED_ISSUES) return { ok: false, issues };
  const shown = issues.slice(0, MAX_REPORTED_ISSUES);
  shown.push({ path: "", message: `and ${issues.length - MAX_REPORTED_ISSUES} more problems not listed` });
  return { ok: false, issues: shown };
}

/** One line per problem, as people read it: "agent_metadata.name: is required". */
export function formatAdrIssue(issue: AdrIssue): string {
  return issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`;
}

export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((seg) => (typeof seg === "string" ? safeKey(seg) : String(seg))).join(".");
}

function toAdrIssues(issue: z.core.$ZodIssue): AdrIssue[] {
  if (issue.code === "unrecognized_keys") {
    const allowed = fieldsAt(issue.path);
    return issue.keys.map((key) => ({
      path: issuePath([...issue.path, key]),
      message: unknownFieldMessage(key, allowed),
    }));
  }
  if (issue.code === "invalid_key") {
    return [{ path: issuePath(issue.path), message: issue.issues[0]?.message ?? "is not a valid key" }];
  }
  return [{ path: issuePath(issue.path), message: issue.message }];
}

function unknownFieldMessage(key: string, allowed: string[]): string {
  const near = allowed.find((candidate) => editDistance(key.toLowerCase(), candidate) <= 2);
  if (near !== undefined) return `is not a field of the ADR; did you mean "${near}"?`;
  return `is not a field of the ADR; the fields here are: ${allowed.join(", ")}`;
}

/** The field names the schema accepts at a path (objects only). */
function fieldsAt(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType | undefined = adrSchema;
  for (const seg of path) {
    schema = schema === undefined ? undefined : childOf(unwrap(schema), seg);
  }
  const target = schema === undefined ? undefined : unwrap(schema);
  return target instanceof z.ZodObject ? Object.keys(target.shape) : [];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap();
  return s;
}

function childOf(schema: z.core.$ZodType, seg: PropertyKey): z.core.$ZodType | undefined {
  if (schema instanceof z.ZodObject && typeof seg === "string") {
    return (schema.shape as Record<string, z.core.$ZodType>)[seg];
  }
  if (schema instanceof z.ZodArray) return schema.element;
  return undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2 || a.length > 80) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}
