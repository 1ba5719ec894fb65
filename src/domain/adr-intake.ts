import { type AdrIssue, formatAdrIssue, type UserPopulation, USER_POPULATIONS } from "./adr.ts";
import type { FormValues } from "./adr-form.ts";
import { classifyRisk, type RiskTier } from "./risk.ts";

/**
 * Intake rules beyond the schema: how agent names are compared, who may
 * be named owner for the tier, and how an import report is shortened for a
 * Slack field error.
 */

/**
 * The inventory key of an agent name: names are unique case-insensitively,
 * and compatibility forms (full-width letters, ligatures) or runs of spaces
 * do not make a second agent of the same name.
 */
export function agentNameKey(name: string): string {
  return name.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();
}

/**
 * Separation of duties at intake (SPEC "Approval routing"): for tiers 1–2 the
 * technical owner signs off, so they must differ from the business owner and
 * must not be the person submitting (nobody signs off their own request).
 * Keyed by the field to correct.
 */
export function separationOfDutiesProblems(input: {
  tier: RiskTier;
  requester: string;
  businessOwner: string;
  technicalOwner: string;
}): Record<string, string> {
  if (input.tier > 2) return {};
  if (input.technicalOwner === input.businessOwner) {
    return {
      "agent_metadata.technical_owner": `at tier ${input.tier} the technical owner signs off, so they must be a different person from the business owner`,
    };
  }
  if (input.technicalOwner === input.requester) {
    return {
      "agent_metadata.technical_owner": `at tier ${input.tier} the technical owner signs off, and nobody signs off a request they submitted: name another technical owner or ask the business owner to submit`,
    };
  }
  return {};
}

/** One short paragraph of problems for a Slack field error: the first `max`, then "and N more". */
export function summariseIssues(issues: readonly AdrIssue[], max = 10): string {
  const shown = issues.slice(0, max).map(formatAdrIssue);
  const rest = issues.length - shown.length;
  const more = rest > 0 ? `\n… and ${rest} more (run agov validate FILE to see them all)` : "";
  return `${issues.length === 1 ? "1 problem" : `${issues.length} problems`}:\n${shown.join("\n")}${more}`;
}

/**
 * The separation-of-duties problems knowable from the first form step alone:
 * the six risk factors (and so the tier) and both owners are all on it.
 * Empty while any of them is missing (the field errors say so).
 */
export function firstStepSeparationProblems(values: FormValues, requester: string): Record<string, string> {
  const bool = (key: string) => values[`risk_assessment.${key}`];
  const flags = RISK_FLAGS.map(bool);
  const population =
    values["risk_assessment.user_population"] ?? values["business_justification.user_population"];
  const businessOwner = values["agent_metadata.business_owner"];
  const technicalOwner = values["agent_metadata.technical_owner"];
  if (flags.some((f) => f !== "true" && f !== "false") || !population || !businessOwner || !technicalOwner) {
    return {};
  }
  if (!(USER_POPULATIONS as readonly string[]).includes(population)) return {};
  const [write, comms, regulated, financial, review] = flags.map((f) => f === "true");
  const { tier } = classifyRisk({
    can_write_to_db: write!,
    can_send_external_communications: comms!,
    handles_regulated_data: regulated!,
    can_make_financial_transactions: financial!,
    has_human_review_of_all_outputs: review!,
    user_population: population as UserPopulation,
  });
  return separationOfDutiesProblems({ tier, requester, businessOwner, technicalOwner });
}

const RISK_FLAGS = [
  "can_write_to_db",
  "can_send_external_communications",
  "handles_regulated_data",
  "can_make_financial_transactions",
  "has_human_review_of_all_outputs",
] as const;
