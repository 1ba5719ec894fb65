import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../support/pg.ts";
import { runTs } from "../support/process.ts";

const env = { SLACK_BOT_TOKEN: "xoxb-cli", SLACK_SIGNING_SECRET: "cli-signing-secret" };

describe("agov", () => {
  it("prints usage to stderr and exits 2 without a command", async () => {
    const { code, output } = await runTs("src/cli/main.ts", [], env);
    expect(code).toBe(2);
    expect(output).toContain("usage: agov <command>");
  });

  it("exits 0 for help and lists every command", async () => {
    const { code, output } = await runTs("src/cli/main.ts", ["help"], env);
    expect(code).toBe(0);
    expect(output).toMatch(/db migrate/);
  });

  it("exits 2 on an unknown command", async () => {
    const { code, output } = await runTs("src/cli/main.ts", ["frobnicate"], env);
    expect(code).toBe(2);
    expect(output).toContain('unknown command "frobnicate"');
  });

  it("applies migrations to a Postgres database, twice without harm", async () => {
    const db = await createTestDatabase();
    try {
      for (let i = 0; i < 2; i++) {
        const { code, output } = await runTs("src/cli/main.ts", ["db", "migrate"], {
          ...env,
          DATABASE_URL: db.url,
        });
        expect(output).toContain("migrations applied (postgres)");
        expect(code).toBe(0);
      }
    } finally {
      await db.drop();
    }
  });
});
