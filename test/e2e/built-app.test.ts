import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "../../src/db/client.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack-api.ts";
import { appProcessEnv, PEOPLE, SIGNING_SECRET, testGovernorYaml } from "../support/app.ts";
import { createTestDatabase } from "../support/pg.ts";
import { freePort, ROOT, waitForHealthy } from "../support/process.ts";
import { SlackClientSim } from "../support/slack-requests.ts";

/**
 * `npm start` compiles the app (scripts/build.mjs) and runs it on plain Node.
 * Here the same build, into a folder of its own inside the package, is started
 * as a process on Postgres: it migrates, answers /healthz and a signed
 * command, and stops cleanly on SIGTERM.
 */
let fake: FakeSlack;
let dir: string;
const outDir = join(ROOT, "dist", `test-${process.pid}`);

beforeAll(async () => {
  fake = await startFakeSlack();
  dir = mkdtempSync(join(tmpdir(), "agov-built-"));
  writeFileSync(join(dir, "governor.yaml"), stringify(testGovernorYaml()));
});

afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
});

describe("the compiled app that npm start runs", () => {
  it("builds, migrates Postgres, serves Slack and /healthz, and stops on SIGTERM", async () => {
    const entry = join(outDir, "main.mjs");
    execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs"), entry], { cwd: ROOT });
    const db = await createTestDatabase();
    const port = await freePort();
    const child = spawn(process.execPath, [entry], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH ?? "",
        ...appProcessEnv({
          slackApiUrl: fake.url,
          configPath: join(dir, "governor.yaml"),
          queuePrefix: `agovbuilt${process.pid}`,
          databaseUrl: db.url,
          port,
        }),
      },
    });
    let output = "";
    child.stdout!.on("data", (d) => {
      output += d;
    });
    child.stderr!.on("data", (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForHealthy(url, 60_000);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ db: "ok", redis: "ok" });

      const slack = new SlackClientSim({ appUrl: url, signingSecret: SIGNING_SECRET, fake });
      const res = await slack.slashCommand("/agent-request", "help", { userId: PEOPLE.requester });
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).toContain("/agent-request");
      // It found the package's migrations from its folder under dist/ and applied every one.
      const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, "meta/_journal.json"), "utf8")) as {
        entries: unknown[];
      };
      const sql = postgres(db.url, { max: 1, onnotice: () => {} });
      try {
        const [row] = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
        expect(row!.n).toBe(journal.entries.length);
      } finally {
        await sql.end({ timeout: 5 });
      }
    } finally {
      child.kill("SIGTERM");
      const code = await exited;
      await db.drop();
      expect(code, output).toBe(0);
    }
  }, 90_000);
});
