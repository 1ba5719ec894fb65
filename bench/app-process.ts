import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { FakeSlack } from "../test/fakes/slack-api.ts";
import { appProcessEnv } from "../test/support/app.ts";
import { createTestDatabase } from "../test/support/pg.ts";
import { spawnTs, waitForHealthy } from "../test/support/process.ts";
import { deleteQueueKeys } from "../test/support/queue-keys.ts";

export interface AppProcess {
  /** Where the app listens. */
  url: string;
  databaseUrl: string;
  queuePrefix: string;
  /** CPU milliseconds the app's node process has used so far. */
  cpuMs(): number;
  /** Stops the app, then drops its database, queue keys and config. */
  stop(): Promise<void>;
}

/**
 * The app under test in its own process (as in production), on a fresh
 * database and queue prefix, talking to `fake`: figures are then what Slack
 * would see, not skewed by the bench's own work in this process.
 */
export async function startAppProcess(opts: {
  fake: FakeSlack;
  yaml: Record<string, unknown>;
  name: string;
}): Promise<AppProcess> {
  const db = await createTestDatabase();
  const dir = mkdtempSync(join(tmpdir(), `agov-bench-${opts.name}-`));
  writeFileSync(join(dir, "governor.yaml"), stringify(opts.yaml));
  const queuePrefix = `agovbench${process.pid}${Math.random().toString(36).slice(2, 8)}`;
  const port = 39000 + Math.floor(Math.random() * 2000);
  const app = spawnTs(
    "src/main.ts",
    [],
    appProcessEnv({
      slackApiUrl: opts.fake.url,
      configPath: join(dir, "governor.yaml"),
      queuePrefix,
      databaseUrl: db.url,
      port,
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHealthy(url, 120_000);
  const pid = app.child.pid!;
  return {
    url,
    databaseUrl: db.url,
    queuePrefix,
    cpuMs() {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    async stop() {
      app.child.kill("SIGTERM");
      await app.exited;
      await db.drop();
      await deleteQueueKeys(queuePrefix);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
