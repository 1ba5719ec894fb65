import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Adr, validateAdr } from "../../src/domain/adr.ts";
import { parseAdrYaml } from "../../src/domain/adr-yaml.ts";
import { assessAdr, classifyRisk, deriveRiskFactors, type RiskFactors } from "../../src/domain/risk.ts";

const exampleYaml = readFileSync(
  new URL("../fixtures/customer-onboarding-agent.yaml", import.meta.url),
  "utf8",
);

function exampleAdr(): Adr {
  const parsed = parseAdrYaml(exampleYaml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.adr;
}

/** The example with its capabilities replaced, validated so the test only builds real ADRs. */
function adrWith(capabilities: Partial<Adr["agent_capabilities"]>, extra: Partial<Adr> = {}): Adr {
  const base = exampleAdr();
  const result = validateAdr({
    ...base,
    ...extra,
    agent_capabilities: { ...base.agent_capabilities, ...capabilities },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.adr;
}

const tool = (name: string, permissions = "own records only", description?: string) =>
  description === undefined ? { name, permissions } : { name, permissions, description };

// The framework's classify_agent_risk_tier, restated as a points table and a
// score-to-tier table (index = score), with the SPEC deviation applied last.
const POINTS = { financial: 4, regulated: 2, external_comms: 2, writes: 1, no_review: 1, external_users: 1 };
const TIER_BY_SCORE = [1, 1, 2, 2, 3, 3, 4, 4, 4, 4, 4, 4];

function expected(bits: number[]): { tier: number; score: number } {
  const [financial, regulated, comms, writes, review, external] = bits.map((b) => b === 1);
  const score =
    (financial ? POINTS.financial : 0) +
    (regulated ? POINTS.regulated : 0) +
    (comms ? POINTS.external_comms : 0) +
    (writes ? POINTS.writes : 0) +
    (review ? 0 : POINTS.no_review) +
    (external ? POINTS.external_users : 0);
  return { score, tier: financial ? 4 : (TIER_BY_SCORE[score] ?? 4) };
}

function factorsOf(bits: number[], externalAs: "external" | "regulated-users" = "external"): RiskFactors {
  return {
    can_make_financial_transactions: bits[0] === 1,
    handles_regulated_data: bits[1] === 1,
    can_send_external_communications: bits[2] === 1,
    can_write_to_db: bits[3] === 1,
    has_human_review_of_all_outputs: bits[4] === 1,
    user_population: bits[5] === 1 ? externalAs : "internal",
  };
}

const ALL_COMBINATIONS = Array.from({ length: 64 }, (_, n) =>
  [5, 4, 3, 2, 1, 0].map((shift) => (n >> shift) & 1),
);

describe("classifyRisk", () => {
  it.each(ALL_COMBINATIONS)(
    "scores financial=%i regulated=%i comms=%i writes=%i review=%i external=%i as the framework does",
    (...bits) => {
      const { tier, score } = classifyRisk(factorsOf(bits));
      expect({ tier, score }).toEqual(expected(bits));
    },
  );

  it.each(ALL_COMBINATIONS.filter((bits) => bits[0] === 1))(
    "always gives tier 4 to financial transactions (%i %i %i %i %i %i)",
    (...bits) => {
      expect(classifyRisk(factorsOf(bits)).tier).toBe(4);
    },
  );

  it("gives tier 4 to financial transactions even where the framework's code gives 3", () => {
    const lowest = factorsOf([1, 0, 0, 0, 1, 0]);
    expect(classifyRisk(lowest)).toMatchObject({ tier: 4, score: 4 });
  });

  it.each(ALL_COMBINATIONS)("counts regulated users as external users (%i %i %i %i %i %i)", (...bits) => {
    expect(classifyRisk(factorsOf(bits, "regulated-users"))).toMatchObject(expected(bits));
  });

  it.each(ALL_COMBINATIONS)("gives reasons whose points sum to the score (%i %i %i %i %i %i)", (...bits) => {
    const result = classifyRisk(factorsOf(bits));
    expect(result.reasons.reduce((sum, r) => sum + r.points, 0)).toBe(result.score);
    for (const reason of result.reasons) expect(reason.text).toContain(`+${reason.points}`);
  });
});

describe("deriveRiskFactors without a risk_assessment block", () => {
  it.each([
    ["write access", tool("crm", "write to contacts table"), true],
    ["an update", tool("crm", "update contact status"), true],
    ["an insert", tool("crm", "insert rows into leads"), true],
    ["a delete", tool("crm", "delete stale leads"), true],
    ["a modify", tool("crm", "modify own profile"), true],
    ["a write word in the tool name", tool("updateTicket", "own tickets only"), true],
    ["read/write", tool("crm", "read/write on contacts"), true],
    ["read-only", tool("crm", "read-only, customers table"), false],
    ["read only", tool("crm", "read only access"), false],
    ["an explicit no-write", tool("crm", "read access, no write access"), false],
    ["non-writable", tool("crm", "non-writable replica"), false],
    ["a word that merely contains 'write'", tool("copywriter_lookup", "lookup copywriters"), false],
  ])("treats a tool with %s as writes=%s", (_what, t, writes) => {
    const { factors } = deriveRiskFactors(adrWith({ tools_requested: [t] }));
    expect(factors.can_write_to_db).toBe(writes);
  });

  it.each([
    ["an e-mail tool", [tool("send_welcome_email")], false, true],
    ["a messaging tool", [tool("slack_bot", "own channel", "Posts messages to customers")], false, true],
    ["an SMS tool", [tool("sms_gateway")], false, true],
    ["a notification tool", [tool("push", "app users", "Sends notifications")], false, true],
    ["external API calls", [tool("lookup", "read-only")], true, true],
    ["only reading tools", [tool("lookup", "read-only")], false, false],
  ])("with %s derives external communications", (_what, tools, externalApiCalls, comms) => {
    const adr = adrWith({ tools_requested: tools, external_api_calls: externalApiCalls });
    expect(deriveRiskFactors(adr).factors.can_send_external_communications).toBe(comms);
  });

  it.each([
    ["payments", tool("stripe", "create payments for orders"), true],
    ["refunds", tool("issue_refund", "up to 50 EUR"), true],
    ["transfers", tool("bank", "initiate transfers"), true],
    ["transactions", tool("ledger", "read-only", "Looks up transactions"), true],
    ["charges", tool("billing", "charge saved cards"), true],
    ["nothing financial", tool("lookup", "read-only"), false],
  ])("treats a tool about %s as financial=%s", (_what, t, financial) => {
    expect(deriveRiskFactors(adrWith({ tools_requested: [t] })).factors.can_make_financial_transactions).toBe(
      financial,
    );
  });

  it.each([true, false])("takes regulated data from regulated_data: %s", (regulated) => {
    expect(deriveRiskFactors(adrWith({ regulated_data: regulated })).factors.handles_regulated_data).toBe(
      regulated,
    );
  });

  it("assumes no human review of all outputs", () => {
    const { factors, derived } = deriveRiskFactors(exampleAdr());
    expect(factors.has_human_review_of_all_outputs).toBe(false);
    expect(derived.find((d) => d.factor === "has_human_review_of_all_outputs")?.because).toMatch(
      /not stated/,
    );
  });

  it.each(["internal", "external", "regulated-users"] as const)(
    "takes the user population %s from business_justification",
    (population) => {
      const base = exampleAdr();
      const adr = {
        ...base,
        business_justification: { ...base.business_justification, user_population: population },
      };
      expect(deriveRiskFactors(adr).factors.user_population).toBe(population);
    },
  );

  it("says which tool and which word made a factor true", () => {
    const { derived, source } = deriveRiskFactors(exampleAdr());
    expect(source).toBe("derived");
    expect(derived.find((d) => d.factor === "can_write_to_db")?.because).toContain(
      "update_onboarding_status",
    );
    expect(derived.find((d) => d.factor === "can_send_external_communications")?.because).toContain(
      "send_welcome_email",
    );
  });
});

describe("deriveRiskFactors with a risk_assessment block", () => {
  const stated = {
    can_write_to_db: false,
    can_send_external_communications: false,
    handles_regulated_data: false,
    can_make_financial_transactions: false,
    has_human_review_of_all_outputs: true,
  };

  it("uses the stated factors instead of deriving them", () => {
    const adr = adrWith({}, { risk_assessment: { ...stated, user_population: "internal" } });
    const { factors, source } = deriveRiskFactors(adr);
    expect(source).toBe("stated");
    expect(factors).toEqual({ ...stated, user_population: "internal" });
    expect(assessAdr(adr)).toMatchObject({ tier: 1, score: 0, reasons: [] });
  });

  it("keeps a stated 'no' but shows reviewers the tool that contradicts it", () => {
    const adr = adrWith({}, { risk_assessment: stated });
    const { factors, derived } = deriveRiskFactors(adr);
    expect(factors.can_write_to_db).toBe(false);
    expect(derived.find((d) => d.factor === "can_write_to_db")?.because).toBe(
      'stated in the ADR\'s risk assessment, although tool "update_onboarding_status": its name mentions "update" (a write)',
    );
  });

  it("falls back to business_justification.user_population when the block leaves it out", () => {
    const adr = adrWith({}, { risk_assessment: stated });
    expect(deriveRiskFactors(adr).factors.user_population).toBe("external");
  });
});

describe("assessAdr", () => {
  it("classifies the framework's Customer Onboarding Agent as tier 3", () => {
    const result = assessAdr(exampleAdr());
    expect(result.tier).toBe(3);
    expect(result.score).toBe(5);
    expect(result.factors).toEqual({
      can_write_to_db: true,
      can_send_external_communications: true,
      handles_regulated_data: false,
      can_make_financial_transactions: false,
      has_human_review_of_all_outputs: false,
      user_population: "external",
    });
  });

  it("explains each point with the derivation behind it", () => {
    const result = assessAdr(exampleAdr());
    expect(result.reasons.reduce((sum, r) => sum + r.points, 0)).toBe(result.score);
    const writes = result.reasons.find((r) => r.factor === "can_write_to_db");
    expect(writes?.text).toMatch(/^can write to a database: \+1 — tool "update_onboarding_status"/);
  });

  it("makes any ADR with a payment tool tier 4", () => {
    const adr = adrWith({ tools_requested: [tool("refund_order", "up to 20 EUR")] });
    expect(assessAdr(adr).tier).toBe(4);
  });
});
