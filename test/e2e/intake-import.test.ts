import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drafts } from "../../src/db/schema/index.ts";
import { PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import { adrsOfAgent, answerOf, initialOf, stateFromView, viewOf } from "../support/intake.ts";

const FIXTURE = readFileSync(new URL("../fixtures/customer-onboarding-agent.yaml", import.meta.url), "utf8");
/** The framework's example with owners who exist in the test workspace (e-mails of PEOPLE). */
const withOwners = (name: string) =>
  FIXTURE.replace('"Customer Onboarding Agent"', JSON.stringify(name))
    .replace("jane.smith@company.com", "requester@example.com")
    .replace("engineering-team@company.com", "TechOwner@Example.com");

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function importYaml(userId: string, yaml: string) {
  const open = await t.slack.slashCommand("/agent-request", "import", { userId });
  const [call] = await t.fake.waitFor(
    (c) => c.method === "views.open" && c.args.trigger_id === open.triggerId,
  );
  const view = viewOf(call);
  expect(view.callback_id).toBe("adr_import");
  expect(JSON.stringify(view.blocks)).toContain('"block_id":"adr_yaml"');
  const res = await t.slack.viewSubmission({
    userId,
    viewId: String(view.id),
    values: { adr_yaml: { value: { type: "plain_text_input", value: yaml } } },
  });
  return { viewId: String(view.id), answer: answerOf(res) };
}

const draftsOf = (userId: string) =>
  t.governor.deps.db.select().from(drafts).where(eq(drafts.userId, userId));

describe("/agent-request import", () => {
  it("prefills the form from a valid ADR, e-mail owners resolved to Slack users, for review before submission", async () => {
    const name = `Imported agent ${Math.random().toString(36).slice(2, 8)}`;
    const { viewId, answer } = await importYaml(PEOPLE.requester, withOwners(name));
    expect(answer.response_action).toBe("update");
    const step1 = answer.view!;
    expect(step1.callback_id).toBe("adr_request");
    expect(initialOf(step1, "agent_metadata.name")).toBe(name);
    expect(initialOf(step1, "agent_metadata.business_owner")).toBe(PEOPLE.requester);
    expect(initialOf(step1, "agent_metadata.technical_owner")).toBe(PEOPLE.techOwner);
    expect(initialOf(step1, "business_justification.success_metrics")).toBe(
      "onboarding_time\nerror_rate\ncustomer_satisfaction",
    );
    // No risk_assessment in the file: the factors are derived (conservatively) and shown for checking.
    expect(initialOf(step1, "risk_assessment.can_write_to_db")).toBe("true");
    expect(initialOf(step1, "risk_assessment.has_human_review_of_all_outputs")).toBe("false");
    expect(JSON.stringify(step1.blocks)).toContain("Imported from YAML");
    expect((await draftsOf(PEOPLE.requester))[0]?.content).toMatchObject({
      source: "import",
      derivedRisk: true,
    });

    // The requester clicks Next, Next, Submit without changing anything.
    let view = step1;
    for (const step of [1, 2, 3] as const) {
      const res = await t.slack.viewSubmission({
        userId: PEOPLE.requester,
        viewId,
        callbackId: "adr_request",
        privateMetadata: JSON.stringify({ step }),
        values: stateFromView(view),
      });
      const next = answerOf(res);
      expect(next.response_action, JSON.stringify(next.errors)).toBe("update");
      view = next.view!;
    }
    expect(JSON.stringify(view)).toContain("Request submitted");
    const { adrs } = await adrsOfAgent(t, name);
    expect(adrs[0]).toMatchObject({ tier: 3, score: 5, status: "awaiting_security_assessment" });
    const content = adrs[0]!.content as Record<string, Record<string, unknown>>;
    expect(content.agent_capabilities!.tools_requested).toHaveLength(3);
    expect(content.security_assessment!.threat_model_document).toBe(
      "docs/onboarding-agent-threat-model-v1.pdf",
    );
    expect(await draftsOf(PEOPLE.requester)).toEqual([]);
  });

  it("lists every problem with its path on adr_yaml, and stores nothing", async () => {
    const broken = withOwners("Broken agent")
      .replace('"2026-04-15"', '"2026-13-45"')
      .replace('user_population: "external"', 'user_population: "everyone"')
      .replace("estimated_monthly_interactions: 5000", "estimated_monthly_interactions: lots");
    const { answer } = await importYaml(PEOPLE.steward, broken);
    expect(answer.response_action).toBe("errors");
    const text = answer.errors?.adr_yaml ?? "";
    expect(text).toContain("3 problems");
    expect(text).toContain("agent_metadata.proposed_production_date: must be a date like 2026-04-15");
    expect(text).toContain(
      "business_justification.user_population: must be one of: internal, external, regulated-users",
    );
    expect(text).toContain("business_justification.estimated_monthly_interactions: must be a number");
    expect(await draftsOf(PEOPLE.steward)).toEqual([]);
  });

  it("lists the first ten of many problems and says how many more", async () => {
    const manyUnknown = Array.from({ length: 14 }, (_, i) => `  unknown_${i}: 1`).join("\n");
    const { answer } = await importYaml(
      PEOPLE.steward,
      withOwners("Many").replace("agent_metadata:\n", `agent_metadata:\n${manyUnknown}\n`),
    );
    const text = answer.errors?.adr_yaml ?? "";
    expect(text).toContain("14 problems");
    expect(text).toContain("and 4 more");
    expect(text.split("\n").filter((l) => l.startsWith("agent_metadata.unknown_"))).toHaveLength(10);
  });

  it("refuses an unknown e-mail owner on that owner's path", async () => {
    const { answer } = await importYaml(PEOPLE.steward, FIXTURE);
    expect(answer.response_action).toBe("errors");
    expect(answer.errors?.adr_yaml).toContain(
      "agent_metadata.business_owner: no Slack user in this workspace has that e-mail address",
    );
    expect(answer.errors?.adr_yaml).toContain("agent_metadata.technical_owner:");
    expect(await draftsOf(PEOPLE.steward)).toEqual([]);
  });

  it("refuses a YAML alias bomb with a clear message, quickly", async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const [n, prev] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
      levels.push(`${n}: &${n} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    const started = Date.now();
    const { answer } = await importYaml(PEOPLE.steward, levels.join("\n"));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(answer.errors?.adr_yaml).toContain("aliases");
    expect(await draftsOf(PEOPLE.steward)).toEqual([]);
  });

  it("refuses a custom tag", async () => {
    const { answer } = await importYaml(PEOPLE.steward, `${withOwners("Tagged")}\nx: !!js/function "f(){}"`);
    expect(answer.errors?.adr_yaml).toMatch(/tag .* is not allowed/);
  });
});
