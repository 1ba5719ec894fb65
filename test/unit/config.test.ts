import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/env.ts";
import { loadGovernorConfig, parseGovernorConfig } from "../../src/config/governor.ts";
import { testGovernorYaml } from "../support/app.ts";

const goodEnv = { SLACK_BOT_TOKEN: "xoxb-test-token", SLACK_SIGNING_SECRET: "abcdef0123456789" };

describe("environment settings", () => {
  it("applies the documented defaults", () => {
    const env = parseEnv(goodEnv);
    expect(env.ok && env.value).toMatchObject({
      PORT: 3000,
      REDIS_URL: "redis://127.0.0.1:6379",
      GOVERNOR_CONFIG: "./governor.yaml",
      LOG_LEVEL: "info",
    });
    expect(env.ok && env.value.DATABASE_URL).toBeUndefined();
  });

  it("reports every problem as one line naming the variable, without echoing secrets", () => {
    const env = parseEnv({
      SLACK_BOT_TOKEN: "not-a-token-SECRET1",
      SLACK_SIGNING_SECRET: "x",
      PORT: "70000",
      REDIS_URL: "http://nope",
      LOG_LEVEL: "loud",
      DATABASE_URL: "mysql://SECRET2@db",
    });
    expect(env.ok).toBe(false);
    const problems = env.ok ? [] : env.problems;
    for (const name of [
      "SLACK_BOT_TOKEN",
      "SLACK_SIGNING_SECRET",
      "PORT",
      "REDIS_URL",
      "LOG_LEVEL",
      "DATABASE_URL",
    ]) {
      expect(problems.filter((p) => p.startsWith(`${name} `))).toHaveLength(1);
    }
    expect(problems.join("\n")).not.toMatch(/SECRET1|SECRET2/);
  });

  it("says which required variables are missing", () => {
    const env = parseEnv({});
    expect(env.ok ? [] : env.problems).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN is required/),
      expect.stringMatching(/^SLACK_SIGNING_SECRET is required/),
    ]);
  });

  it("requires AUDIT_HMAC_KEY in production", () => {
    const env = parseEnv({ ...goodEnv, NODE_ENV: "production" });
    expect(env.ok ? [] : env.problems).toEqual([expect.stringMatching(/^AUDIT_HMAC_KEY is required/)]);
  });

  it("treats empty values as unset", () => {
    const env = parseEnv({ ...goodEnv, DATABASE_URL: "", SLACK_APP_TOKEN: "" });
    expect(env.ok).toBe(true);
  });
});

describe("governor.yaml", () => {
  it("accepts the test workspace and fills the default clocks", () => {
    const cfg = parseGovernorConfig(testGovernorYaml());
    expect(cfg.ok).toBe(true);
    if (!cfg.ok) return;
    expect(cfg.value.sla.tier1).toEqual({ kind: "duration", ms: 24 * 3_600_000 });
    expect(cfg.value.sla.tier3).toEqual({ kind: "business_days", days: 7 });
    expect(cfg.value.incident_sla).toEqual({ sev1: 900_000, sev2: 3_600_000, sev3: 14_400_000 });
    expect(cfg.value.quorum_deadline).toBe(4 * 3_600_000);
  });

  it.each([
    [
      { channels: { committee: "general", oncall: "C1AAAA", board: "C2BBBB" } },
      "channels.committee: must be a Slack channel id",
    ],
    [{ ciso: "bob" }, "ciso: must be a Slack user id"],
    [{ sla: { tier1: "24 hours" } }, 'sla.tier1: "24 hours" is not an ISO-8601 duration'],
    [{ sla: { tier3: { business_days: 0 } } }, "sla.tier3.business_days: must be at least 1"],
    [{ calendar: { timezone: "Mars/Olympus" } }, "calendar.timezone: must be an IANA time zone"],
    [{ oncall: {} }, "oncall: needs users"],
    [{ quorum_deadline: "P1M" }, "quorum_deadline:"],
    [{ extra: true }, "governor.yaml:"],
  ])("refuses %j with a line naming the path", (override, expected) => {
    const cfg = parseGovernorConfig(testGovernorYaml(override));
    expect(cfg.ok).toBe(false);
    expect(cfg.ok ? [] : cfg.problems).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });

  it("explains a missing file and malformed YAML in one line", () => {
    const dir = mkdtempSync(join(tmpdir(), "agov-cfg-"));
    const missing = loadGovernorConfig(join(dir, "nope.yaml"));
    expect(missing.ok ? [] : missing.problems).toEqual([
      expect.stringMatching(/not found \(copy governor.example.yaml/),
    ]);
    writeFileSync(join(dir, "bad.yaml"), "channels: [unclosed\n");
    const bad = loadGovernorConfig(join(dir, "bad.yaml"));
    expect(bad.ok ? [] : bad.problems).toEqual([expect.stringMatching(/not valid YAML/)]);
    writeFileSync(join(dir, "list.yaml"), "- a\n- b\n");
    const list = loadGovernorConfig(join(dir, "list.yaml"));
    expect(list.ok ? [] : list.problems).toEqual([expect.stringMatching(/must be a mapping/)]);
  });

  it("accepts the shipped example", () => {
    const cfg = loadGovernorConfig(join(import.meta.dirname, "../../governor.example.yaml"));
    expect(cfg.ok ? [] : cfg.problems).toEqual([]);
  });
});
