import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { startFakeSlack } from "../test/fakes/slack-api.ts";
import {
  appProcessEnv,
  defaultUsers,
  PEOPLE,
  SIGNING_SECRET,
  testGovernorYaml,
} from "../test/support/app.ts";
import { createTestDatabase } from "../test/support/pg.ts";
import { ROOT, waitForHealthy } from "../test/support/process.ts";
import { SlackClientSim } from "../test/support/slack-requests.ts";
import { startAppProcess } from "./app-process.ts";
import { slashCommands } from "./slash-load.ts";
import { fmt, summarise } from "./stats.ts";

/** Issue 2's figures: ack latency of signed help commands, idle memory, cold start. */
export default async function foundationBench(): Promise<void> {
  // The app in its own process, as deployed, warmed up; signed help commands
  // from a lean client (see slashCommands), answered by the ack alone.
  const rigFake = await startFakeSlack({ users: defaultUsers(), validateBlocks: false });
  const app = await startAppProcess({ fake: rigFake, yaml: testGovernorYaml(), name: "foundation" });
  const rig = {
    fake: rigFake,
    appUrl: app.url,
    slack: new SlackClientSim({ appUrl: app.url, signingSecret: SIGNING_SECRET, fake: rigFake }),
  };
  const help = (total: number, concurrency: number) =>
    slashCommands(rig, {
      command: "/agent-request",
      text: "help",
      total,
      concurrency,
      user: () => PEOPLE.requester,
    });
  try {
    await help(3000, 20); // warm-up, not counted
    for (const concurrency of [1, 20]) {
      const total = concurrency === 1 ? 500 : 2000;
      const { latencies, wallMs } = await help(total, concurrency);
      const s = summarise(latencies);
      console.log(
        `/agent-request help ack, ${concurrency} concurrent: p50 ${fmt(s.p50)}, p99 ${fmt(s.p99)}, max ${fmt(s.max)}, ${(
          (total / wallMs) * 1000
        ).toFixed(0)} req/s (n=${s.n}; budget p99 < 50 ms at 20)`,
      );
    }
  } finally {
    await app.stop();
    await rigFake.close();
  }

  // Cold start and memory of the app as `npm start` runs it: compiled by
  // scripts/build.mjs, on plain Node.
  const outDir = join(ROOT, "dist", `bench-${process.pid}`);
  const entry = join(outDir, "main.mjs");
  execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs"), entry], { cwd: ROOT });
  const fake = await startFakeSlack();
  const dir = mkdtempSync(join(tmpdir(), "agov-bench-"));
  writeFileSync(join(dir, "governor.yaml"), stringify(testGovernorYaml()));
  const db = await createTestDatabase();
  try {
    const base = appProcessEnv({
      slackApiUrl: fake.url,
      configPath: join(dir, "governor.yaml"),
      queuePrefix: `agovbench${process.pid}`,
    });
    for (const [label, extra] of [
      ["PGlite (first run: creates and migrates ./data)", { PGLITE_DIR: join(dir, "data") }],
      ["PGlite (second run)", { PGLITE_DIR: join(dir, "data") }],
      ["Postgres (fresh database)", { DATABASE_URL: db.url }],
    ] as const) {
      const port = 39000 + Math.floor(Math.random() * 1000);
      const started = performance.now();
      const child = spawn(process.execPath, [entry], {
        cwd: dir,
        stdio: "ignore",
        env: { PATH: process.env.PATH ?? "", ...base, ...extra, PORT: String(port) },
      });
      const exited = new Promise((resolve) => child.once("exit", resolve));
      try {
        await waitForHealthy(`http://127.0.0.1:${port}`, 120_000);
        const coldMs = performance.now() - started;
        await new Promise((r) => setTimeout(r, 3000));
        const rss = rssMb(child.pid!);
        console.log(
          `cold start to /healthz 200, ${label}: ${fmt(coldMs)}; idle RSS after start-up ${rss.toFixed(0)} MB (budget < 150 MB)`,
        );
      } finally {
        child.kill("SIGTERM");
        await exited;
      }
    }
  } finally {
    await fake.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** RSS of the app process (the largest in its process tree, should it have children). */
function rssMb(pid: number): number {
  const own = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    // no children file on this kernel
  }
  return Math.max(own, ...children.map(rssMb));
}
