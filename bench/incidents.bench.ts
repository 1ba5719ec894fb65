import { cpus, loadavg } from "node:os";
import { eq } from "drizzle-orm";
import { incidents } from "../src/db/schema/index.ts";
import type { FakeSlackCall } from "../test/fakes/slack-api.ts";
import { createAgent } from "../test/support/agent-fixtures.ts";
import { CHANNELS, PEOPLE, startTestApp, type TestApp } from "../test/support/app.ts";
import setupTemplate from "../test/support/global-setup.ts";
import { declareValues, openDeclareModal, sleep } from "../test/support/incidents.ts";
import { fmt, summarise } from "./stats.ts";

/**
 * Issue 7's figures: declaration-to-page latency, from sending the modal's
 * view_submission to the fake Slack receiving chat.postMessage in the
 * on-call channel (budget p99 < 1 s), sequentially per severity and with 20
 * declarations at once (each also re-sent as a Slack retry), counting that
 * every incident was paged exactly once.
 */
const owners = { businessOwner: PEOPLE.requester, technicalOwner: PEOPLE.techOwner };

const isPageOf = (id: number) => (c: FakeSlackCall) =>
  c.method === "chat.postMessage" &&
  c.ok &&
  c.args.channel === CHANNELS.oncall &&
  !c.args.thread_ts &&
  String(c.args.text).includes(`incident #${id} `);

async function incidentOf(t: TestApp, viewId: string): Promise<number> {
  const [row] = await t.governor.deps.db
    .select({ id: incidents.id })
    .from(incidents)
    .where(eq(incidents.submissionKey, `slack-view-${viewId}`));
  if (!row) throw new Error(`no incident for view ${viewId}`);
  return row.id;
}

/** The HTTP answers to the submissions (Slack's 3-second budget), for context. */
const answers: number[] = [];

/** Sends the modal's submission (and a Slack retry of it); returns ms until the page reached Slack. */
async function submitAndTime(
  t: TestApp,
  viewId: string,
  agentId: number,
  severity: string,
  retry = false,
): Promise<number> {
  const values = declareValues({ agentId, severity, summary: `bench ${severity} incident` });
  const t0 = Date.now();
  const sends = [t.slack.viewSubmission({ userId: PEOPLE.oncall, viewId, values })];
  if (retry) sends.push(t.slack.viewSubmission({ userId: PEOPLE.oncall, viewId, values }, { retryNum: 1 }));
  const replies = await Promise.all(sends);
  answers.push(Date.now() - t0);
  if (replies.some((a) => a.status !== 200)) throw new Error("submission refused");
  const id = await incidentOf(t, viewId);
  const [page] = await t.fake.waitFor(isPageOf(id), { timeoutMs: 10_000 });
  return page!.at - t0;
}

async function declareAndTime(t: TestApp, agentId: number, severity: string): Promise<number> {
  return submitAndTime(t, await openDeclareModal(t, PEOPLE.oncall), agentId, severity);
}

/** 20 modals opened first, then all submitted at the same instant. */
async function concurrentRound(t: TestApp, agents: { id: number }[], retry: boolean, label: string) {
  const severities = ["SEV1", "SEV2", "SEV3", "SEV2"];
  const views = await Promise.all(agents.map(() => openDeclareModal(t, PEOPLE.oncall)));
  const started = Date.now();
  const latencies = await Promise.all(
    agents.map((a, i) => submitAndTime(t, views[i]!, a.id, severities[i % severities.length]!, retry)),
  );
  const wall = Date.now() - started;
  await sleep(1500); // let any duplicate delivery surface before counting
  const rows = await t.governor.deps.db
    .select({ id: incidents.id, agentId: incidents.agentId })
    .from(incidents);
  const ours = rows.filter((r) => agents.some((a) => a.id === r.agentId));
  const pageCounts = ours.map((r) => t.fake.calls.filter(isPageOf(r.id)).length);
  console.log(label);
  report("  declaration → page", latencies);
  report("  (HTTP answer to the submissions)", answers.splice(0));
  console.log(
    `  wall ${fmt(wall)}; incidents created ${ours.length}/${agents.length}; paged exactly once: ${pageCounts.filter((n) => n === 1).length}/${ours.length}; max pages for one incident: ${Math.max(...pageCounts)}`,
  );
}

function report(label: string, samples: number[]): void {
  const s = summarise(samples);
  const verdict = s.p99 < 1000 ? "ok" : "OVER BUDGET";
  console.log(
    `${label.padEnd(44)} n=${s.n}  p50 ${fmt(s.p50)}  p99 ${fmt(s.p99)}  max ${fmt(s.max)}  (${verdict})`,
  );
}

export default async function incidentsBench(): Promise<void> {
  await setupTemplate();
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
  console.log(
    `machine: ${cpus().length} CPUs, load average ${load} (other work on the host inflates these figures)`,
  );
  const t = await startTestApp();
  try {
    const db = t.governor.deps.db;
    const agents = [];
    for (let i = 0; i < 160; i++) agents.push(await createAgent(db, { name: `Bench Agent ${i}`, ...owners }));
    // Warm-up (JIT, pools, Redis connections).
    for (let i = 0; i < 5; i++) await declareAndTime(t, agents[i]!.id, "SEV3");
    answers.splice(0);

    const bySeverity: Record<string, number[]> = { SEV1: [], SEV2: [], SEV3: [] };
    let next = 5;
    for (const [severity, n] of [
      ["SEV2", 50],
      ["SEV3", 25],
      ["SEV1", 40],
    ] as const) {
      for (let i = 0; i < n; i++)
        bySeverity[severity]!.push(await declareAndTime(t, agents[next++]!.id, severity));
    }
    console.log(
      "declaration → page in #on-call (sequential, view_submission sent → chat.postMessage received)",
    );
    for (const s of ["SEV1", "SEV2", "SEV3"]) report(`  ${s}`, bySeverity[s]!);
    report("  all", [...bySeverity.SEV1!, ...bySeverity.SEV2!, ...bySeverity.SEV3!]);
    report("  (HTTP answer to the submission)", answers.splice(0));

    await concurrentRound(
      t,
      agents.slice(next, next + 20),
      false,
      "20 declarations at once (SEV1/2/3 mixed)",
    );
    next += 20;
    await concurrentRound(
      t,
      agents.slice(next, next + 20),
      true,
      "20 declarations at once, each submitted twice (original + Slack retry)",
    );
    console.log(`  fake Slack violations: ${t.fake.violations.length}`);
  } finally {
    await t.close();
  }
}
