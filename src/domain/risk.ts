import type { Adr } from "./adr.ts";
import type { UserPopulation } from "./adr-primitives.ts";

/** The six inputs of the framework's classify_agent_risk_tier. */
export interface RiskFactors {
  can_write_to_db: boolean;
  can_send_external_communications: boolean;
  handles_regulated_data: boolean;
  can_make_financial_transactions: boolean;
  has_human_review_of_all_outputs: boolean;
  user_population: UserPopulation;
}

export type RiskFactor = keyof RiskFactors;
export type RiskTier = 1 | 2 | 3 | 4;

/** What one factor added to the score; the reasons of a classification sum to its score. */
export interface RiskReason {
  factor: RiskFactor;
  points: number;
  text: string;
}

export interface RiskClassification {
  tier: RiskTier;
  score: number;
  reasons: RiskReason[];
}

/**
 * The framework's scoring: financial +4, regulated data +2, external
 * communications +2, database writes +1, no human review of all outputs +1,
 * external users +1 (regulated-users count as external); score ≥6 → tier 4,
 * ≥4 → 3, ≥2 → 2, else 1. Deviation (SPEC): financial transactions are
 * always tier 4, whatever the score.
 */
export function classifyRisk(f: RiskFactors): RiskClassification {
  const reasons: RiskReason[] = [];
  const add = (factor: RiskFactor, points: number, text: string) => reasons.push({ factor, points, text });
  if (f.can_make_financial_transactions) {
    add("can_make_financial_transactions", 4, "can make financial transactions: +4 (always tier 4)");
  }
  if (f.handles_regulated_data)
    add("handles_regulated_data", 2, "handles regulated data (PHI, PII, financial): +2");
  if (f.can_send_external_communications) {
    add("can_send_external_communications", 2, "can send external communications: +2");
  }
  if (f.can_write_to_db) add("can_write_to_db", 1, "can write to a database: +1");
  if (!f.has_human_review_of_all_outputs) {
    add("has_human_review_of_all_outputs", 1, "no human review of all outputs: +1");
  }
  if (f.user_population === "external") add("user_population", 1, "external users: +1");
  if (f.user_population === "regulated-users")
    add("user_population", 1, "regulated users (count as external): +1");

  const score = reasons.reduce((sum, r) => sum + r.points, 0);
  const tier: RiskTier = f.can_make_financial_transactions
    ? 4
    : score >= 6
      ? 4
      : score >= 4
        ? 3
        : score >= 2
          ? 2
          : 1;
  return { tier, score, reasons };
}

/** How one factor's value was reached, for people reading the classification. */
export interface RiskDerivation {
  factor: RiskFactor;
  value: RiskFactors[RiskFactor];
  because: string;
}

export interface DerivedRiskFactors {
  factors: RiskFactors;
  derived: RiskDerivation[];
  /** "stated": from the ADR's risk_assessment block; "derived": inferred from the rest of the ADR. */
  source: "stated" | "derived";
}

type Tool = Adr["agent_capabilities"]["tools_requested"][number];

// Vocabulary matched against whole words of a tool's name, permissions and
// description ("update_onboarding_status" → update, onboarding, status), so
// "read-only" (read, only) is never a write. A word right after a negation
// ("no write access", "non-writable") does not count.
const WRITE_WORDS = new Set(
  "write writes writing written writable writeable overwrite overwrites rw readwrite update updates updating updated upsert upserts insert inserts inserting delete deletes deleting deletion modify modifies modifying modification create creates creating edit edits editing remove removes removing drop truncate mutate mutates mutation".split(
    " ",
  ),
);
const COMMS_WORDS = new Set(
  "send sends sending sent email emails emailing mail mails mailing message messages messaging post posts posting publish publishes publishing sms notify notifies notifying notification notifications tweet tweets webhook webhooks".split(
    " ",
  ),
);
const FINANCIAL_WORDS = new Set(
  "pay pays paying payment payments payout payouts refund refunds refunding refunded transfer transfers transferring transaction transactions charge charges charging charged purchase purchases purchasing withdraw withdrawal withdrawals disburse disbursement disbursements".split(
    " ",
  ),
);
const NEGATIONS = new Set(["no", "not", "never", "without", "non", "nor", "cannot", "t"]);

function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");
}

/** The first word of the vocabulary the text uses affirmatively, if any. */
function mentioned(text: string, vocabulary: ReadonlySet<string>): string | undefined {
  const ws = words(text);
  return ws.find((w, i) => vocabulary.has(w) && !NEGATIONS.has(ws[i - 1] ?? ""));
}

/** The first tool that mentions the vocabulary, and where. */
function toolMentioning(
  tools: readonly Tool[],
  vocabulary: ReadonlySet<string>,
  what: string,
): string | undefined {
  for (const tool of tools) {
    const fields: [string, string | undefined][] = [
      ["name", tool.name],
      ["permissions", tool.permissions],
      ["description", tool.description],
    ];
    for (const [field, text] of fields) {
      const word = text === undefined ? undefined : mentioned(text, vocabulary);
      if (word !== undefined) return `tool "${tool.name}": its ${field} mentions "${word}" (${what})`;
    }
  }
  return undefined;
}

/**
 * The six factors of an ADR. With a `risk_assessment` block the stated values
 * are used; without one they are derived conservatively from the tools and
 * data (SPEC "Risk classification"): unknown means the riskier value.
 */
export function deriveRiskFactors(adr: Adr): DerivedRiskFactors {
  const tools = adr.agent_capabilities.tools_requested;
  const population = adr.business_justification.user_population;
  const regulated = adr.agent_capabilities.regulated_data;
  const writes = toolMentioning(tools, WRITE_WORDS, "a write");
  const comms =
    toolMentioning(tools, COMMS_WORDS, "sending messages") ??
    (adr.agent_capabilities.external_api_calls ? "agent_capabilities.external_api_calls is true" : undefined);
  const financial = toolMentioning(tools, FINANCIAL_WORDS, "moving money");
  const evidence: Partial<Record<RiskFactor, string>> = {
    can_write_to_db: writes,
    can_send_external_communications: comms,
    handles_regulated_data: regulated ? "agent_capabilities.regulated_data is true" : undefined,
    can_make_financial_transactions: financial,
  };

  const stated = adr.risk_assessment;
  if (stated !== undefined) {
    const factors: RiskFactors = { ...stated, user_population: stated.user_population ?? population };
    // The stated value stands (the chair may raise the tier), but a contradiction is shown to reviewers.
    const derived = (Object.keys(factors) as RiskFactor[]).map((factor) => {
      const value = factors[factor];
      const hint = evidence[factor];
      let because = "stated in the ADR's risk assessment";
      if (factor === "user_population" && stated.user_population === undefined) {
        because = "from business_justification.user_population";
      } else if (value === false && hint !== undefined) {
        because += `, although ${hint}`;
      }
      return { factor, value, because };
    });
    return { factors, derived, source: "stated" };
  }

  const factors: RiskFactors = {
    can_write_to_db: writes !== undefined,
    can_send_external_communications: comms !== undefined,
    handles_regulated_data: regulated,
    can_make_financial_transactions: financial !== undefined,
    has_human_review_of_all_outputs: false,
    user_population: population,
  };
  const derived: RiskDerivation[] = [
    {
      factor: "can_write_to_db",
      value: factors.can_write_to_db,
      because: writes ?? "no tool's name, permissions or description mentions writing",
    },
    {
      factor: "can_send_external_communications",
      value: factors.can_send_external_communications,
      because: comms ?? "no tool sends e-mail, messages or posts, and external_api_calls is false",
    },
    {
      factor: "handles_regulated_data",
      value: regulated,
      because: `agent_capabilities.regulated_data is ${regulated}`,
    },
    {
      factor: "can_make_financial_transactions",
      value: factors.can_make_financial_transactions,
      because: financial ?? "no tool is about payments, refunds, transfers or transactions",
    },
    {
      factor: "has_human_review_of_all_outputs",
      value: false,
      because: "not stated (no risk_assessment), so assumed absent",
    },
    { factor: "user_population", value: population, because: "from business_justification.user_population" },
  ];
  return { factors, derived, source: "derived" };
}

export interface AdrRiskAssessment extends RiskClassification, DerivedRiskFactors {}

/**
 * Derive and classify. Each reason's text says why the factor holds
 * ("can write to a database: +1 — tool "update_onboarding_status": its
 * permissions mention "write" (a write)"), so people can check it.
 */
export function assessAdr(adr: Adr): AdrRiskAssessment {
  const derivation = deriveRiskFactors(adr);
  const classification = classifyRisk(derivation.factors);
  const reasons = classification.reasons.map((reason) => {
    const why = derivation.derived.find((d) => d.factor === reason.factor)?.because;
    return why === undefined ? reason : { ...reason, text: `${reason.text} — ${why}` };
  });
  return { ...derivation, ...classification, reasons };
}
