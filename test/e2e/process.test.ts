import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeSlack, type FakeSlack } from "../fakes/slack-api.ts";
import { BOT_TOKEN, SIGNING_SECRET, testGovernorYaml } from "../support/app.ts";
import { freePort, runTs, spawnTs, waitForHealthy } from "../support/process.ts";

let dir: string;
let fake: FakeSlack;
let baseEnv: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "agov-proc-"));
  writeFileSync(join(dir, "governor.yaml"), stringify(testGovernorYaml()));
  fake = await startFakeSlack();
  baseEnv = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    GOVERNOR_CONFIG: join(dir, "governor.yaml"),
    PGLITE_DIR: join(dir, "data"),
    QUEUE_PREFIX: `agovproc${process.pid}`,
    LOG_LEVEL: "warn",
  };
});
afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("starting the app as a process", () => {
  it("stops with one clear line per bad setting and exit 1", async () => {
    const { code, output } = await runTs(
      "src/main.ts",
      [],
      {
        ...baseEnv,
        SLACK_BOT_TOKEN: "nope",
        PORT: "http",
      },
      dir,
    );
    expect(code).toBe(1);
    const lines = output.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^agent-governor: SLACK_BOT_TOKEN must be a bot token/),
      expect.stringMatching(/^agent-governor: PORT must be a port number/),
    ]);
  });

  it("names the governor.yaml path that is wrong", async () => {
    writeFileSync(join(dir, "bad.yaml"), stringify(testGovernorYaml({ ciso: "bob" })));
    const { code, output } = await runTs(
      "src/main.ts",
      [],
      {
        ...baseEnv,
        GOVERNOR_CONFIG: join(dir, "bad.yaml"),
      },
      dir,
    );
    expect(code).toBe(1);
    expect(output.trim()).toMatch(/^agent-governor: ciso: must be a Slack user id/);
  });

  it("reads a .env file in its directory, with real environment variables winning", async () => {
    const envDir = mkdtempSync(join(tmpdir(), "agov-dotenv-"));
    writeFileSync(join(envDir, ".env"), "PORT=not-a-port\nLOG_LEVEL=loud\n");
    const { code, output } = await runTs("src/main.ts", [], { ...baseEnv }, envDir);
    rmSync(envDir, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(output.trim().split("\n")).toEqual([
      expect.stringMatching(/^agent-governor: PORT must be a port number/),
    ]);
  });

  it("says plainly when Redis is not answering, and exits 1", async () => {
    const port = await freePort();
    const { code, output } = await runTs(
      "src/main.ts",
      [],
      {
        ...baseEnv,
        REDIS_URL: `redis://127.0.0.1:${port}`,
      },
      dir,
    );
    expect(code).toBe(1);
    expect(output.trim().split("\n")).toEqual([
      `agent-governor: cannot start: Redis at redis://127.0.0.1:${port} is not answering (ECONNREFUSED): start Redis, or set REDIS_URL`,
    ]);
  });

  it("runs on the embedded database without DATABASE_URL, keeps it across restarts, and shuts down cleanly", async () => {
    const port = await freePort();
    const env = { ...baseEnv, PORT: String(port) };
    const app = spawnTs("src/main.ts", [], env, dir);
    try {
      const res = await waitForHealthy(`http://127.0.0.1:${port}`);
      expect(await res.json()).toEqual({ db: "ok", redis: "ok" });

      // The CLI cannot open the embedded database while the app holds it, and says so.
      const cli = await runTs("src/cli/main.ts", ["db", "migrate"], env, dir);
      expect(cli.code).toBe(1);
      expect(cli.output).toMatch(
        /held by another process \(pid \d+, probably the app\): stop it, or set DATABASE_URL/,
      );

      app.child.kill("SIGTERM");
      expect(await app.exited).toBe(0);
    } finally {
      app.child.kill("SIGKILL");
    }
    // Released on shutdown: the CLI can open it now, and the data survived.
    const again = await runTs("src/cli/main.ts", ["db", "migrate"], env, dir);
    expect(again.output).toContain("migrations applied (pglite)");
    expect(again.code).toBe(0);
  }, 120_000);
});
