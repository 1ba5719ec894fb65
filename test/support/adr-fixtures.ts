/**
 * ADRs in review for approval tests, created through the real intake path:
 * submitAdr (as the requester) then completeSecurityAssessment (as the
 * technical owner), which opens the review in the same transaction.
 */
import { randomUUID } from "node:crypto";
import { type Adr, validateAdr } from "../../src/domain/adr.ts";
import type { Tier } from "../../src/domain/tier-policy.ts";
import { completeSecurityAssessment } from "../../src/services/adr/assess.ts";
import { submitAdr } from "../../src/services/adr/submit.ts";
import { PEOPLE, type TestApp } from "./app.ts";

/** The six factors that give each tier (financial transactions always give 4). */
const FACTORS: Record<Tier, NonNullable<Adr["risk_assessment"]>> = {
  1: base({}),
  2: base({ handles_regulated_data: true }),
  3: base({ handles_regulated_data: true, can_send_external_communications: true }),
  4: base({ can_make_financial_transactions: true }),
};

function base(over: Partial<NonNullable<Adr["risk_assessment"]>>): NonNullable<Adr["risk_assessment"]> {
  return {
    can_write_to_db: false,
    can_send_external_communications: false,
    handles_regulated_data: false,
    can_make_financial_transactions: false,
    has_human_review_of_all_outputs: true,
    user_population: "internal",
    ...over,
  };
}

export type AdrFixture = {
  tier: Tier;
  name?: string;
  requester?: string;
  businessOwner?: string;
  technicalOwner?: string;
  tools?: { name: string; permissions: string }[];
};

export function adrDocument(f: AdrFixture): Adr {
  const doc = {
    agent_metadata: {
      name: f.name ?? `Test agent ${randomUUID().slice(0, 8)}`,
      version: "1.0.0",
      business_owner: f.businessOwner ?? f.requester ?? PEOPLE.requester,
      technical_owner: f.technicalOwner ?? PEOPLE.techOwner,
      data_steward: PEOPLE.steward,
      proposed_production_date: "2030-04-15",
    },
    business_justification: {
      problem_statement: "Manual onboarding takes 3 days",
      expected_outcome: "Two hours with one human review",
      success_metrics: ["onboarding_time"],
      estimated_monthly_interactions: 5000,
      user_population: "internal",
    },
    risk_assessment: FACTORS[f.tier],
    agent_capabilities: {
      tools_requested: f.tools ?? [{ name: "read_customer_database", permissions: "read-only, own account" }],
      llm_provider: "OpenAI GPT-4o",
      data_processed: ["name", "email"],
      regulated_data: f.tier === 2 || f.tier === 3,
      external_api_calls: false,
    },
    compliance_assessment: {
      gdpr_applicable: false,
      right_to_explanation_implemented: true,
      eu_ai_act_classification: "limited_risk",
    },
    monitoring_plan: {
      metrics_tracked: ["error_rate"],
      alert_thresholds: { error_rate_critical: 0.05 },
      human_review_triggers: ["error_rate > 0.02"],
      review_cadence: "quarterly",
    },
  };
  const checked = validateAdr(doc);
  if (!checked.ok) throw new Error(`fixture ADR is invalid: ${JSON.stringify(checked.issues)}`);
  return checked.adr;
}

export const ASSESSMENT = {
  threat_model_completed: true,
  threat_model_document: "docs/threat-model.pdf",
  prompt_injection_mitigations: ["input_validation"],
  data_minimization_implemented: true,
  audit_logging_configured: true,
  incident_response_runbook: "docs/runbook.md",
};

/** Submits and assesses an ADR: it comes back in review, its request posted (or queued). */
export async function adrInReview(
  t: TestApp,
  f: AdrFixture,
): Promise<{ adrId: number; agentId: number; name: string }> {
  const deps = t.governor.deps;
  const adr = adrDocument(f);
  const submitted = await submitAdr(
    deps,
    { userId: f.requester ?? PEOPLE.requester },
    {
      adr,
      submissionKey: randomUUID(),
    },
  );
  if (submitted.tier !== f.tier) throw new Error(`fixture gave tier ${submitted.tier}, wanted ${f.tier}`);
  await completeSecurityAssessment(
    deps,
    { userId: adr.agent_metadata.technical_owner },
    submitted.adrId,
    ASSESSMENT,
  );
  return { adrId: submitted.adrId, agentId: submitted.agentId, name: adr.agent_metadata.name };
}
