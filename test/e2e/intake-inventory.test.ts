import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import { fileRequest, formValues } from "../support/intake.ts";
import { ROOT } from "../support/process.ts";

const FIXTURE = join(ROOT, "test/fixtures/customer-onboarding-agent.yaml");

function agov(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, "bin/agov.mjs"), ...args],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "/tmp",
          SLACK_BOT_TOKEN: "xoxb-cli",
          SLACK_SIGNING_SECRET: "cli-signing-secret",
          ...env,
        },
      },
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

let t: TestApp;
let name: string;
beforeAll(async () => {
  t = await startTestApp();
  const values = formValues({
    "agent_metadata.name": `Inventory agent ${Math.random().toString(36).slice(2, 7)}`,
  });
  name = values["agent_metadata.name"]!;
  await fileRequest(t, PEOPLE.requester, values);
  await fileRequest(t, PEOPLE.requester, { ...values, "agent_metadata.version": "2.0.0" });
  await fileRequest(t, PEOPLE.business, formValues({ "agent_metadata.business_owner": PEOPLE.business }));
});
afterAll(async () => {
  await t?.close();
});

async function inventoryAnswer(text: string) {
  const before = t.fake.callsTo("response_url").length;
  const res = await t.slack.slashCommand("/agent-inventory", text, { userId: PEOPLE.outsider });
  expect(res.status).toBe(200);
  const calls = await t.fake.waitFor("response_url", { count: before + 1 });
  return calls[before]!.args as { response_type: string; text: string; blocks: unknown[] };
}

describe("/agent-inventory", () => {
  it("lists every agent with tier, status, owner and next review, only to the asker", async () => {
    const answer = await inventoryAnswer("");
    expect(answer.response_type).toBe("ephemeral");
    const json = JSON.stringify(answer.blocks);
    expect(json).toContain("AI agent inventory (2)");
    expect(json).toContain(name);
    expect(json).toContain("Tier 3 (high)");
    expect(json).toContain(`owner <@${PEOPLE.requester}>`);
    expect(json).toContain("next review not set");
    expect(t.fake.violations).toEqual([]);
  });

  it("shows one record (name in any case) with every governance field and the version history", async () => {
    const answer = await inventoryAnswer(name.toUpperCase());
    const json = JSON.stringify(answer.blocks);
    for (const label of [
      "Business owner",
      "Technical owner",
      "Data steward",
      "Security reviewer",
      "Compliance reviewer",
      "Approval",
      "Next review",
      "Risk tier",
      "Environment",
      "Users",
    ]) {
      expect(json).toContain(`*${label}*`);
    }
    expect(json).toContain("*Request 2* (2.0.0): awaiting the security assessment");
    expect(json).toContain("*Request 1* (1.0.0): superseded by a newer version");
    expect(json).toContain("Why tier 3 (score 4, request 2)");
  });

  it("says so, escaped, when no agent has the name", async () => {
    const answer = await inventoryAnswer("<!here> nobody");
    expect(answer.text).toContain("&lt;!here&gt; nobody");
    expect(JSON.stringify(answer)).not.toContain("<!here>");
  });

  it("keeps help", async () => {
    const res = await t.slack.slashCommand("/agent-inventory", "help", { userId: PEOPLE.outsider });
    expect((res.body as { text: string }).text).toContain("/agent-inventory");
  });
});

describe("agov validate / classify / inventory", { timeout: 90_000 }, () => {
  it("validates the framework's example", async () => {
    const { code, stdout } = await agov(["validate", FIXTURE]);
    expect(code).toBe(0);
    expect(stdout).toContain("valid");
  });

  it("lists every problem with its path and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agov-"));
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "agent_metadata:\n  name: x\n  versoin: 1\n");
    const { code, stdout } = await agov(["validate", bad]);
    expect(code).toBe(1);
    expect(stdout).toContain('agent_metadata.versoin: is not a field of the ADR; did you mean "version"?');
    expect(stdout).toContain("agent_metadata.version: is required");
    expect(stdout).toContain("business_justification: is required");
  });

  it("exits 2 with a clear line when the file is missing", async () => {
    const [missing, noFile] = await Promise.all([
      agov(["validate", "/nonexistent/adr.yaml"]),
      agov(["classify"]),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe("agov validate: cannot read /nonexistent/adr.yaml: no such file");
    expect(noFile.code).toBe(2);
  });

  it("classifies the example as tier 3 with its reasons, and as JSON", async () => {
    const [text, json] = await Promise.all([
      agov(["classify", FIXTURE]),
      agov(["classify", FIXTURE, "--json"]),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("tier 3 (score 5)");
    expect(text.stdout).toContain('can send external communications: +2 — tool "send_welcome_email"');
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      tier: number;
      score: number;
      reasons: { factor: string }[];
      source: string;
    };
    expect(parsed).toMatchObject({ tier: 3, score: 5, source: "derived" });
    expect(parsed.reasons.map((r) => r.factor)).toEqual([
      "can_send_external_communications",
      "can_write_to_db",
      "has_human_review_of_all_outputs",
      "user_population",
    ]);
  });

  it("prints the inventory from the app's database, with every version in --json", async () => {
    const env = { DATABASE_URL: t.databaseUrl };
    const [text, json] = await Promise.all([agov(["inventory"], env), agov(["inventory", "--json"], env)]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(name.slice(0, 20));
    expect(json.code).toBe(0);
    const records = JSON.parse(json.stdout) as {
      agent_name: string;
      risk_tier: string;
      versions: { version: number; status: string }[];
    }[];
    const record = records.find((r) => r.agent_name === name)!;
    expect(record.risk_tier).toBe("3");
    expect(record.versions.map((v) => [v.version, v.status])).toEqual([
      [2, "awaiting_security_assessment"],
      [1, "superseded"],
    ]);
    expect(Object.keys(record)).toEqual(
      expect.arrayContaining([
        "agent_id",
        "agent_name",
        "business_owner",
        "technical_owner",
        "data_steward",
        "security_reviewer",
        "compliance_reviewer",
        "approval_status",
        "approval_date",
        "next_review_date",
        "risk_tier",
        "deployment_environment",
        "user_population",
      ]),
    );
  });
});
