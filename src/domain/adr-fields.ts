import {
  DEPLOYMENT_ENVIRONMENTS,
  EU_AI_ACT_CLASSIFICATIONS,
  GDPR_BASES,
  LIMITS,
  USER_POPULATIONS,
} from "./adr-primitives.ts";

/**
 * The catalogue of every leaf field of the ADR, in form order, for building
 * the Slack modal: each input's block_id is `path`. A unit test walks the
 * schema and fails if a leaf lacks an entry here, or an entry names no leaf,
 * or kind / options / optional / limits disagree with the schema.
 *
 * `optional` means the schema accepts the field left out (when its parent
 * block is present). `maxLength` is per value (per item for lists),
 * `maxItems` per list.
 */
export type AdrFieldKind =
  | "text"
  | "long_text"
  | "user"
  | "date"
  | "select"
  | "boolean"
  | "list"
  | "number"
  | "tools"
  | "thresholds";

export interface AdrField {
  path: string;
  label: string;
  kind: AdrFieldKind;
  options?: readonly string[];
  optional: boolean;
  hint?: string;
  /** 1: metadata, justification & risk factors; 2: capabilities & data; 3: compliance & monitoring. */
  step: 1 | 2 | 3;
  maxLength?: number;
  maxItems?: number;
}

type Step = AdrField["step"];
type Spec = Omit<AdrField, "step" | "optional" | "maxLength" | "maxItems"> & { optional?: boolean };

const ONE_PER_LINE = "One per line.";

const name = (step: Step, s: Spec): AdrField => ({ optional: false, ...s, step, maxLength: LIMITS.name });
const short = (step: Step, s: Spec): AdrField => ({
  optional: false,
  ...s,
  step,
  maxLength: LIMITS.shortText,
});
const long = (step: Step, s: Spec): AdrField => ({ optional: false, ...s, step, maxLength: LIMITS.longText });
const user = (step: Step, s: Spec): AdrField => ({ optional: false, ...s, step, maxLength: LIMITS.owner });
const plain = (step: Step, s: Spec): AdrField => ({ optional: false, ...s, step });
const list = (step: Step, s: Spec, itemMax: number, maxItems: number = LIMITS.listItems): AdrField => ({
  optional: false,
  hint: ONE_PER_LINE,
  ...s,
  step,
  maxLength: itemMax,
  maxItems,
});

const riskFactor = (factor: string, label: string, hint: string): AdrField =>
  plain(1, { path: `risk_assessment.${factor}`, label, kind: "boolean", hint });

export const ADR_FIELDS: readonly AdrField[] = [
  name(1, { path: "agent_metadata.name", label: "Agent name", kind: "text" }),
  name(1, { path: "agent_metadata.version", label: "Version", kind: "text", hint: "For example 1.0.0" }),
  user(1, { path: "agent_metadata.business_owner", label: "Business owner", kind: "user" }),
  user(1, { path: "agent_metadata.technical_owner", label: "Technical owner", kind: "user" }),
  user(1, {
    path: "agent_metadata.data_steward",
    label: "Data steward",
    kind: "user",
    optional: true,
    hint: "Responsible for data handling compliance",
  }),
  plain(1, {
    path: "agent_metadata.proposed_production_date",
    label: "Proposed production date",
    kind: "date",
  }),
  plain(1, {
    path: "agent_metadata.deployment_environment",
    label: "Deployment environment",
    kind: "select",
    options: DEPLOYMENT_ENVIRONMENTS,
    optional: true,
    hint: "Production if left empty",
  }),
  long(1, {
    path: "business_justification.problem_statement",
    label: "Problem statement",
    kind: "long_text",
  }),
  long(1, { path: "business_justification.expected_outcome", label: "Expected outcome", kind: "long_text" }),
  list(
    1,
    { path: "business_justification.success_metrics", label: "Success metrics", kind: "list" },
    LIMITS.shortText,
  ),
  plain(1, {
    path: "business_justification.estimated_monthly_interactions",
    label: "Estimated monthly interactions",
    kind: "number",
  }),
  plain(1, {
    path: "business_justification.user_population",
    label: "Who uses the agent",
    kind: "select",
    options: USER_POPULATIONS,
  }),
  riskFactor("can_write_to_db", "Can it write to a database?", "Insert, update or delete anything"),
  riskFactor(
    "can_send_external_communications",
    "Can it send external communications?",
    "E-mail, messages, posts or calls to outside systems",
  ),
  riskFactor("handles_regulated_data", "Does it handle regulated data?", "PHI, PII or financial data"),
  riskFactor(
    "can_make_financial_transactions",
    "Can it make financial transactions?",
    "Payments, refunds, transfers: always tier 4",
  ),
  riskFactor(
    "has_human_review_of_all_outputs",
    "Does a person review all of its outputs?",
    "Before anything reaches a user or a system",
  ),
  plain(1, {
    path: "risk_assessment.user_population",
    label: "User population for the risk score",
    kind: "select",
    options: USER_POPULATIONS,
    optional: true,
    hint: "Leave empty to use the user population above",
  }),
  {
    ...plain(2, {
      path: "agent_capabilities.tools_requested",
      label: "Tools requested",
      kind: "tools",
      hint: "One per line: name | permissions | description (optional)",
    }),
    maxItems: LIMITS.tools,
  },
  short(2, { path: "agent_capabilities.llm_provider", label: "LLM provider", kind: "text" }),
  list(
    2,
    { path: "agent_capabilities.data_processed", label: "Data processed", kind: "list" },
    LIMITS.shortText,
  ),
  plain(2, {
    path: "agent_capabilities.regulated_data",
    label: "Processes regulated data",
    kind: "boolean",
    hint: "PHI, PII or financial data",
  }),
  plain(2, { path: "agent_capabilities.external_api_calls", label: "Calls external APIs", kind: "boolean" }),
  plain(3, { path: "compliance_assessment.gdpr_applicable", label: "GDPR applies", kind: "boolean" }),
  plain(3, {
    path: "compliance_assessment.gdpr_basis",
    label: "GDPR lawful basis",
    kind: "select",
    options: GDPR_BASES,
    optional: true,
    hint: "Required when GDPR applies",
  }),
  short(3, {
    path: "compliance_assessment.data_processing_agreement_vendor",
    label: "Data processing agreement with the vendor",
    kind: "text",
    optional: true,
  }),
  plain(3, {
    path: "compliance_assessment.right_to_explanation_implemented",
    label: "Right to explanation implemented",
    kind: "boolean",
  }),
  plain(3, {
    path: "compliance_assessment.eu_ai_act_classification",
    label: "EU AI Act classification",
    kind: "select",
    options: EU_AI_ACT_CLASSIFICATIONS,
  }),
  list(3, { path: "monitoring_plan.metrics_tracked", label: "Metrics tracked", kind: "list" }, LIMITS.name),
  list(
    3,
    {
      path: "monitoring_plan.alert_thresholds",
      label: "Alert thresholds",
      kind: "thresholds",
      hint: "One per line: metric_name: number",
    },
    LIMITS.name,
    LIMITS.thresholds,
  ),
  list(
    3,
    { path: "monitoring_plan.human_review_triggers", label: "Human review triggers", kind: "list" },
    LIMITS.shortText,
  ),
  short(3, {
    path: "monitoring_plan.review_cadence",
    label: "Review cadence",
    kind: "text",
    hint: "For example: 30 days after launch, then quarterly",
  }),
];

/** The technical owner's security self-assessment: one modal, so every field is step 1. */
export const SECURITY_ASSESSMENT_FIELDS: readonly AdrField[] = [
  plain(1, {
    path: "security_assessment.threat_model_completed",
    label: "Threat model completed",
    kind: "boolean",
  }),
  short(1, {
    path: "security_assessment.threat_model_document",
    label: "Threat model document",
    kind: "text",
    optional: true,
    hint: "Required when the threat model is completed",
  }),
  list(
    1,
    {
      path: "security_assessment.prompt_injection_mitigations",
      label: "Prompt injection mitigations",
      kind: "list",
    },
    LIMITS.shortText,
  ),
  plain(1, {
    path: "security_assessment.data_minimization_implemented",
    label: "Data minimisation implemented",
    kind: "boolean",
  }),
  plain(1, {
    path: "security_assessment.audit_logging_configured",
    label: "Audit logging configured",
    kind: "boolean",
  }),
  short(1, {
    path: "security_assessment.incident_response_runbook",
    label: "Incident response runbook",
    kind: "text",
  }),
];
