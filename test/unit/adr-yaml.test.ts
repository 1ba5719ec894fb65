import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Adr, AdrIssue } from "../../src/domain/adr.ts";
import {
  adrToYaml,
  MAX_ADR_YAML_ALIASES,
  MAX_ADR_YAML_DEPTH,
  parseAdrYaml,
} from "../../src/domain/adr-yaml.ts";

const exampleYaml = readFileSync(
  new URL("../fixtures/customer-onboarding-agent.yaml", import.meta.url),
  "utf8",
);

function refused(text: string): AdrIssue[] {
  const result = parseAdrYaml(text);
  if (result.ok) throw new Error("expected the document to be refused");
  return result.issues;
}

function parsedExample(): Adr {
  const result = parseAdrYaml(exampleYaml);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.adr;
}

describe("parseAdrYaml", () => {
  it("reads the framework's example ADR", () => {
    const adr = parsedExample();
    expect(adr.agent_metadata.name).toBe("Customer Onboarding Agent");
    expect(adr.agent_capabilities.tools_requested).toHaveLength(3);
    expect(adr.monitoring_plan.alert_thresholds).toEqual({ error_rate_critical: 0.05, latency_p95_ms: 5000 });
  });

  it("refuses a billion-laughs alias bomb quickly", () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const [name, prev] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    const started = performance.now();
    const issues = refused(levels.join("\n"));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(issues).toEqual([
      {
        path: "",
        message: `the document uses aliases (*name) too heavily (limit ${MAX_ADR_YAML_ALIASES}); write the values out instead`,
      },
    ]);
  });

  it("accepts a few honest anchors and aliases", () => {
    const text = exampleYaml
      .replace('success_metrics: ["onboarding_time"', 'success_metrics: &metrics ["onboarding_time"')
      .replace(/ {2}human_review_triggers:\n(?: {4}- .*\n)+/, "  human_review_triggers: *metrics\n");
    const result = parseAdrYaml(text);
    expect(result.ok && result.adr.monitoring_plan.human_review_triggers).toEqual([
      "onboarding_time",
      "error_rate",
      "customer_satisfaction",
    ]);
  });

  it("refuses a 300 KiB document, saying how large it is", () => {
    const text = `${exampleYaml}\n# ${"x".repeat(300 * 1024 - exampleYaml.length - 4)}\n`;
    expect(refused(text)).toEqual([
      { path: "", message: "the document is 300 KiB; an ADR may be at most 256 KiB" },
    ]);
  });

  it("measures the limit in UTF-8 bytes, not characters", () => {
    const text = `agent_metadata:\n  name: "${"é".repeat(140_000)}"\n`;
    expect(text.length).toBeLessThan(256 * 1024);
    expect(refused(text)[0]?.message).toMatch(/^the document is 273\.\d KiB/);
  });

  it.each([
    ["!!js/function", "agent_metadata:\n  name: !!js/function 'function () {}'\n", 2, '"!!js/function"'],
    ["a local tag", "agent_metadata: !foo\n  name: x\n", 1, '"!foo"'],
    ["!!binary", "agent_metadata:\n  name: !!binary aGVsbG8=\n", 2, '"!!binary"'],
  ])("refuses %s with its line", (_what, text, line, shown) => {
    const [issue] = refused(text);
    expect(issue?.message).toMatch(
      new RegExp(`^line ${line}, column \\d+: the tag ${shown} is not allowed in an ADR`),
    );
  });

  it("accepts the core schema's own tags", () => {
    const result = parseAdrYaml(exampleYaml.replace('version: "1.0.0"', "version: !!str 1.0"));
    expect(result.ok && result.adr.agent_metadata.version).toBe("1.0");
  });

  it.each([
    ["a list", "- agent_metadata\n- monitoring_plan\n"],
    ["a scalar", "just some text\n"],
  ])("refuses %s at the root", (_what, text) => {
    expect(refused(text)).toEqual([
      {
        path: "",
        message:
          "the ADR must be a mapping with agent_metadata, business_justification, agent_capabilities, " +
          "compliance_assessment and monitoring_plan (and optionally risk_assessment and security_assessment)",
      },
    ]);
  });

  it("refuses an empty document", () => {
    expect(refused("# nothing here\n")[0]?.message).toMatch(/^the document is empty/);
  });

  it("refuses more than one document", () => {
    expect(refused(`${exampleYaml}\n---\n${exampleYaml}`)).toEqual([
      { path: "", message: "the file holds 2 YAML documents; an ADR must be exactly one" },
    ]);
  });

  it.each([
    ["an unclosed flow sequence", "agent_metadata:\n  name: x\n  version: [1, 2\nmonitoring_plan: {}\n", 4],
    ["a duplicate key", "agent_metadata:\n  name: x\n  name: y\n", 3],
    ["a tab used for indentation", "agent_metadata:\n\tname: x\n", 2],
  ])("reports %s with its line number", (_what, text, line) => {
    const [issue] = refused(text);
    expect(issue?.path).toBe("");
    expect(issue?.message).toMatch(new RegExp(`^line ${line}, column \\d+: `));
  });

  it.each([
    ["flow brackets", `agent_metadata: ${"[".repeat(5000)}${"]".repeat(5000)}\n`],
    ["compact sequences", `${"- ".repeat(5000)}x\n`],
  ])("refuses %s nested too deeply, quickly", (_what, text) => {
    const started = performance.now();
    expect(refused(text)).toEqual([
      { path: "", message: `the document is nested more than ${MAX_ADR_YAML_DEPTH} levels deep` },
    ]);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("does not mistake brackets inside quotes for nesting", () => {
    const text = exampleYaml.replace(
      '"Manual onboarding takes 3 days and requires 8 human touchpoints"',
      `"${"[".repeat(100)}"`,
    );
    expect(parseAdrYaml(text).ok).toBe(true);
  });

  it("lists every schema problem with its path", () => {
    const text = exampleYaml
      .replace('  name: "Customer Onboarding Agent"\n', "")
      .replace('proposed_production_date: "2026-04-15"', 'proposed_production_date: "April 15"')
      .replace("estimated_monthly_interactions: 5000", "estimated_monthly_interactions: lots")
      .replace('    - name: "send_welcome_email"', '    - name: "send_welcome_email"\n      owner: "bob"')
      .replace("regulated_data: false", "regulated_data: no");
    expect(refused(text)).toEqual([
      { path: "agent_metadata.name", message: "is required" },
      { path: "agent_metadata.proposed_production_date", message: "must be a date like 2026-04-15" },
      { path: "business_justification.estimated_monthly_interactions", message: "must be a number" },
      {
        path: "agent_capabilities.tools_requested.1.owner",
        message: "is not a field of the ADR; the fields here are: name, permissions, description",
      },
      { path: "agent_capabilities.regulated_data", message: "must be true or false" },
    ]);
  });

  it("reads an unquoted date as text (YAML 1.2), so it validates", () => {
    const result = parseAdrYaml(exampleYaml.replace('"2026-04-15"', "2026-04-15"));
    expect(result.ok && result.adr.agent_metadata.proposed_production_date).toBe("2026-04-15");
  });

  it("refuses a YAML 1.1 merge key instead of merging silently", () => {
    const text = exampleYaml.replace(
      "monitoring_plan:\n",
      "monitoring_plan:\n  <<: {review_cadence: monthly}\n",
    );
    expect(refused(text)[0]?.path).toBe("monitoring_plan.<<");
  });
});

describe("adrToYaml", () => {
  it("round-trips the framework's example", () => {
    const adr = parsedExample();
    expect(parseAdrYaml(adrToYaml(adr))).toEqual({ ok: true, adr });
  });

  it("round-trips values that look like other YAML types", () => {
    const base = parsedExample();
    const adr: Adr = {
      ...base,
      agent_metadata: { ...base.agent_metadata, name: "true", version: "1.0", data_steward: "U012AB3CD" },
      business_justification: {
        ...base.business_justification,
        problem_statement: "Line one: with a colon # and a hash\n\t- indented dash\n'quoted'",
        success_metrics: ["null", "0x1F", "0o17", "- dash", "*star", "&amp", "2026-04-15", "yes", "~", '"'],
      },
      risk_assessment: {
        can_write_to_db: true,
        can_send_external_communications: false,
        handles_regulated_data: false,
        can_make_financial_transactions: false,
        has_human_review_of_all_outputs: true,
      },
    };
    expect(parseAdrYaml(adrToYaml(adr))).toEqual({ ok: true, adr });
  });

  it("quotes every string, as the framework's template does", () => {
    const text = adrToYaml(parsedExample());
    expect(text).toContain('  proposed_production_date: "2026-04-15"\n');
    expect(text).toContain("  regulated_data: false\n");
    expect(text).toContain("  estimated_monthly_interactions: 5000\n");
  });
});
