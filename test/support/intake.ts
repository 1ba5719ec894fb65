/**
 * Helpers for the ADR intake e2e tests: a complete form as Slack would send
 * it (state.values built from the field catalogue), and the slash command →
 * step 1 → step 2 → step 3 walk through the running app.
 */
import { and, eq } from "drizzle-orm";
import { ADR_FIELDS, type AdrField, SECURITY_ASSESSMENT_FIELDS } from "../../src/domain/adr.ts";
import type { FormValues } from "../../src/domain/adr-form.ts";
import { adrs, agents, auditEntries, outbox } from "../../src/db/schema/index.ts";
import type { FakeSlackCall } from "../fakes/slack-api.ts";
import { PEOPLE, type TestApp } from "./app.ts";
import type { SimResponse } from "./slack-requests.ts";
import {
  date,
  number,
  plain,
  radio,
  select,
  type StateValue,
  type StateValues,
  user,
} from "./slack-values.ts";

/** A complete tier-3 request (regulated data + external communications), owners from PEOPLE. */
export function formValues(overrides: FormValues = {}): FormValues {
  return {
    "agent_metadata.name": `Intake agent ${Math.random().toString(36).slice(2, 8)}`,
    "agent_metadata.version": "1.0.0",
    "agent_metadata.business_owner": PEOPLE.requester,
    "agent_metadata.technical_owner": PEOPLE.techOwner,
    "agent_metadata.data_steward": PEOPLE.steward,
    "agent_metadata.proposed_production_date": "2030-04-15",
    "agent_metadata.deployment_environment": "production",
    "business_justification.problem_statement": "Manual onboarding takes 3 days",
    "business_justification.expected_outcome": "Two hours with one human review",
    "business_justification.success_metrics": "onboarding_time\nerror_rate",
    "business_justification.estimated_monthly_interactions": "5000",
    "business_justification.user_population": "internal",
    "risk_assessment.can_write_to_db": "false",
    "risk_assessment.can_send_external_communications": "true",
    "risk_assessment.handles_regulated_data": "true",
    "risk_assessment.can_make_financial_transactions": "false",
    "risk_assessment.has_human_review_of_all_outputs": "true",
    "risk_assessment.user_population": null,
    "agent_capabilities.tools_requested":
      "read_customer_database | read-only, customers table\nsend_welcome_email: send to the customer only",
    "agent_capabilities.llm_provider": "OpenAI GPT-4o",
    "agent_capabilities.data_processed": "- name\n- email",
    "agent_capabilities.regulated_data": "true",
    "agent_capabilities.external_api_calls": "false",
    "compliance_assessment.gdpr_applicable": "true",
    "compliance_assessment.gdpr_basis": "contract_performance",
    "compliance_assessment.data_processing_agreement_vendor": null,
    "compliance_assessment.right_to_explanation_implemented": "true",
    "compliance_assessment.eu_ai_act_classification": "limited_risk",
    "monitoring_plan.metrics_tracked": "error_rate\nlatency_p95",
    "monitoring_plan.alert_thresholds": "error_rate_critical: 0.05\nlatency_p95_ms = 5000",
    "monitoring_plan.human_review_triggers": "error_rate > 0.02 for 5 minutes",
    "monitoring_plan.review_cadence": "30 days after launch, then quarterly",
    ...overrides,
  };
}

export const ASSESSMENT_VALUES: FormValues = {
  "security_assessment.threat_model_completed": "true",
  "security_assessment.threat_model_document": "docs/threat-model.pdf",
  "security_assessment.prompt_injection_mitigations": "input_validation\ntool_scoping",
  "security_assessment.data_minimization_implemented": "true",
  "security_assessment.audit_logging_configured": "true",
  "security_assessment.incident_response_runbook": "docs/runbook.md",
};

function elementValue(field: AdrField, value: string | null): StateValue {
  switch (field.kind) {
    case "user":
      return user(value);
    case "date":
      return date(value);
    case "select":
      return select(value);
    case "boolean":
      return radio(value);
    case "number":
      return number(value);
    default:
      return plain(value);
  }
}

/** state.values for the given catalogue fields, as Slack sends them (block_id = path, action_id "value"). */
export function stateFor(fields: readonly AdrField[], values: FormValues): StateValues {
  const out: StateValues = {};
  for (const f of fields) out[f.path] = { value: elementValue(f, values[f.path] ?? null) };
  return out;
}

export const stepFields = (step: 1 | 2 | 3) => ADR_FIELDS.filter((f) => f.step === step);
export const stepState = (step: 1 | 2 | 3, values: FormValues) => stateFor(stepFields(step), values);
export const assessmentState = (values: FormValues = ASSESSMENT_VALUES) =>
  stateFor(SECURITY_ASSESSMENT_FIELDS, values);

/** /agent-request and the view it opened (views.open's answer). */
export async function openRequest(
  t: TestApp,
  userId: string,
): Promise<{ res: SimResponse; viewId: string; view: Record<string, unknown> }> {
  const res = await t.slack.slashCommand("/agent-request", "", { userId });
  const [call] = await t.fake.waitFor(
    (c) => c.method === "views.open" && c.args.trigger_id === res.triggerId,
  );
  if (!call) throw new Error("no views.open");
  const view = (call.response as { view?: Record<string, unknown> }).view;
  if (!call.ok || !view) throw new Error(`views.open failed: ${call.error}`);
  return { res, viewId: String(view.id), view };
}

export async function submitStep(
  t: TestApp,
  userId: string,
  viewId: string,
  step: 1 | 2 | 3,
  values: FormValues,
): Promise<SimResponse> {
  return t.slack.viewSubmission({
    userId,
    viewId,
    callbackId: "adr_request",
    privateMetadata: JSON.stringify({ step }),
    values: stepState(step, values),
  });
}

export type Answer = {
  response_action?: string;
  errors?: Record<string, string>;
  view?: Record<string, unknown>;
};
export const answerOf = (res: SimResponse): Answer =>
  typeof res.body === "object" && res.body ? (res.body as Answer) : {};

/** The whole walk: open, three steps; returns the last answer. Throws if a step is refused. */
export async function fileRequest(
  t: TestApp,
  userId: string,
  values: FormValues,
): Promise<{ viewId: string; final: Answer }> {
  const { viewId } = await openRequest(t, userId);
  for (const step of [1, 2] as const) {
    const answer = answerOf(await submitStep(t, userId, viewId, step, values));
    if (answer.response_action !== "update")
      throw new Error(`step ${step} refused: ${JSON.stringify(answer)}`);
  }
  return { viewId, final: answerOf(await submitStep(t, userId, viewId, 3, values)) };
}

export async function adrsOfAgent(t: TestApp, name: string) {
  const db = t.governor.deps.db;
  const [agent] = await db.select().from(agents).where(eq(agents.nameKey, name.toLowerCase()));
  if (!agent) return { agent: undefined, adrs: [] };
  return {
    agent,
    adrs: await db.select().from(adrs).where(eq(adrs.agentId, agent.id)).orderBy(adrs.version),
  };
}

export async function auditTypes(t: TestApp, agentId: number): Promise<string[]> {
  const rows = await t.governor.deps.db
    .select({ type: auditEntries.eventType })
    .from(auditEntries)
    .where(eq(auditEntries.agentId, agentId))
    .orderBy(auditEntries.seq);
  return rows.map((r) => r.type);
}

export async function outboxFor(t: TestApp, op: string, target: string) {
  return t.governor.deps.db
    .select()
    .from(outbox)
    .where(and(eq(outbox.op, op), eq(outbox.target, target)));
}

/** Every text Slack renders as mrkdwn (message text and mrkdwn objects; plain_text renders literally). */
export function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (typeof value !== "object" || value === null) return [];
  const o = value as Record<string, unknown>;
  const own = o.type === "mrkdwn" && typeof o.text === "string" ? [o.text] : [];
  return own.concat(
    Object.entries(o).flatMap(([k, v]) => (k === "text" && typeof v === "string" ? [] : mrkdwnTexts(v))),
  );
}

/** The mrkdwn of each message posted, updated or answered, one string per call. */
export function postedTexts(calls: readonly FakeSlackCall[]): string[] {
  const methods = new Set(["chat.postMessage", "chat.update", "chat.postEphemeral", "response_url"]);
  return calls
    .filter((c) => methods.has(c.method))
    .map((c) =>
      [typeof c.args.text === "string" ? c.args.text : "", ...mrkdwnTexts(c.args.blocks)].join("\n"),
    );
}

type Block = { type: string; block_id?: string; element?: Record<string, unknown> };

/** What Slack would submit for a view nobody edited: each input's initial value. */
export function stateFromView(view: Record<string, unknown>): StateValues {
  const out: StateValues = {};
  for (const b of view.blocks as Block[]) {
    if (b.type !== "input" || !b.block_id || !b.element) continue;
    const el = b.element;
    const option = el.initial_option as { value: string } | undefined;
    const v: StateValue =
      el.type === "users_select"
        ? user((el.initial_user as string | undefined) ?? null)
        : el.type === "datepicker"
          ? date((el.initial_date as string | undefined) ?? null)
          : el.type === "static_select"
            ? select(option?.value ?? null)
            : el.type === "radio_buttons"
              ? radio(option?.value ?? null)
              : el.type === "number_input"
                ? number((el.initial_value as string | undefined) ?? null)
                : plain((el.initial_value as string | undefined) ?? null);
    out[b.block_id] = { value: v };
  }
  return out;
}

export function initialOf(view: Record<string, unknown>, blockId: string): unknown {
  const b = (view.blocks as Block[]).find((x) => x.block_id === blockId);
  const el = b?.element ?? {};
  return (
    el.initial_user ??
    el.initial_date ??
    (el.initial_option as { value?: string } | undefined)?.value ??
    el.initial_value
  );
}

/** The view a views.open / views.update call answered with. */
export function viewOf(call: FakeSlackCall | undefined): Record<string, unknown> {
  const view = (call?.response as unknown as { view?: Record<string, unknown> } | undefined)?.view;
  if (!view) throw new Error(`no view in the answer: ${JSON.stringify(call?.response)}`);
  return view;
}
