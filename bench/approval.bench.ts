import { startAppProcess } from "./app-process.ts";
import { startFakeSlack } from "../test/fakes/slack-api.ts";
import {
  defaultUsers,
  PEOPLE,
  SIGNING_SECRET,
  startTestApp,
  type TestApp,
  testGovernorYaml,
} from "../test/support/app.ts";
import { adrInReview } from "../test/support/adr-fixtures.ts";
import {
  adrRow,
  auditFor,
  click,
  outboxDrained,
  requestMessage,
  threadPosts,
  until,
  votesOn,
} from "../test/support/approval.ts";
import setupTemplate from "../test/support/global-setup.ts";
import { SlackClientSim } from "../test/support/slack-requests.ts";
import { fmt, summarise } from "./stats.ts";

/**
 * Issue 5's figures: how fast a vote click is acknowledged (the HTTP answer
 * Slack waits for) with 20 concurrent clicks on different requests, and 50
 * simultaneous clicks on one request — with proof that the latter still
 * makes exactly one decision.
 */
async function timed(task: () => Promise<{ status: number }>): Promise<number> {
  const t0 = performance.now();
  const res = await task();
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  return performance.now() - t0;
}

async function differentRequests(t: TestApp): Promise<void> {
  const acks: number[] = [];
  const rounds: number[] = [];
  const { engineering, business, ethics, coChair } = PEOPLE;
  for (let batch = 0; batch < 5; batch++) {
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) ids.push((await adrInReview(t, { tier: 3 })).adrId);
    await Promise.all(ids.map((id) => requestMessage(t, id)));
    // Three members, then the co-chair: the fourth round decides all 20 requests at once.
    for (const [round, voter] of [engineering, business, ethics, coChair].entries()) {
      const t0 = performance.now();
      acks.push(...(await Promise.all(ids.map((id) => timed(() => click(t, voter, "approve", id))))));
      await until("round stored", async () => {
        const counts = await Promise.all(ids.map(async (id) => (await votesOn(t, id)).length));
        return counts.every((n) => n === round + 1);
      });
      rounds.push(performance.now() - t0);
    }
    for (const id of ids)
      if ((await adrRow(t, id)).status !== "approved") throw new Error(`ADR-${id} undecided`);
  }
  const a = summarise(acks);
  const r = summarise(rounds);
  console.log(
    `vote ack, 20 concurrent clicks on 20 requests: p50 ${fmt(a.p50)}, p99 ${fmt(a.p99)}, max ${fmt(a.max)} (n=${a.n})`,
  );
  console.log(
    `  20 votes stored (incl. the round that decides 20 requests): p50 ${fmt(r.p50)}, max ${fmt(r.max)} per round (n=${r.n})`,
  );
}

/** The same app answering a command that does no work: what the request path itself costs on this machine. */
async function baseline(t: TestApp): Promise<void> {
  const acks: number[] = [];
  for (let round = 0; round < 20; round++) {
    const help = () => t.slack.slashCommand("/agent-request", "help", { userId: PEOPLE.requester });
    acks.push(...(await Promise.all(Array.from({ length: 20 }, () => timed(help)))));
  }
  const a = summarise(acks);
  console.log(
    `baseline, /agent-request help ack, 20 concurrent (no work behind it): p50 ${fmt(a.p50)}, p99 ${fmt(a.p99)} (n=${a.n})`,
  );
}

async function oneRequest(t: TestApp, members: string[]): Promise<void> {
  const acks: number[] = [];
  const decidedIn: number[] = [];
  const proofs: string[] = [];
  for (let run = 0; run < 5; run++) {
    const { adrId } = await adrInReview(t, { tier: 4 });
    const message = await requestMessage(t, adrId);
    await outboxDrained(t);
    const clickers = Array.from({ length: 50 }, (_, i) => members[i % members.length]!);
    const t0 = performance.now();
    acks.push(
      ...(await Promise.all(clickers.map((voter) => timed(() => click(t, voter, "approve", adrId))))),
    );
    await until("decided", async () => (await adrRow(t, adrId)).status === "approved", 20_000);
    decidedIn.push(performance.now() - t0);
    await outboxDrained(t);
    const decisions = (await auditFor(t, "decision_made", adrId)).length;
    const votes = (await votesOn(t, adrId)).length;
    const cast = (await auditFor(t, "vote_cast", adrId)).length;
    const posts = threadPosts(t, message).filter((c) => String(c.args.text).startsWith("Decision:")).length;
    if (decisions !== 1 || posts !== 1 || cast !== votes)
      throw new Error(`ADR-${adrId}: not exactly one decision`);
    proofs.push(
      `ADR-${adrId}: ${decisions} decision_made, ${posts} outcome post, ${votes} votes = ${cast} vote_cast`,
    );
  }
  const a = summarise(acks);
  const d = summarise(decidedIn);
  console.log(
    `vote ack, 50 simultaneous clicks on one request (${members.length} voters): p50 ${fmt(a.p50)}, p99 ${fmt(a.p99)}, max ${fmt(a.max)} (n=${a.n})`,
  );
  console.log(`  first click to decision: p50 ${fmt(d.p50)}, max ${fmt(d.max)} (n=${d.n})`);
  for (const p of proofs) console.log(`  ${p}`);
}

/**
 * The app under test runs in its own process (as in production), so the
 * figures are what Slack would see, not skewed by this process's own work;
 * a second, worker-less instance in this process shares its database and
 * queues to create the requests through the real intake services.
 */
async function rig(yaml: Record<string, unknown>): Promise<{ t: TestApp; stop: () => Promise<void> }> {
  const fake = await startFakeSlack({ users: defaultUsers() });
  const app = await startAppProcess({ fake, yaml, name: "approval" });
  const helper = await startTestApp({
    yaml,
    databaseUrl: app.databaseUrl,
    fake,
    queuePrefix: app.queuePrefix,
    worker: false,
  });
  const t: TestApp = {
    ...helper,
    slack: new SlackClientSim({ appUrl: app.url, signingSecret: SIGNING_SECRET, fake }),
  };
  return {
    t,
    async stop() {
      await helper.close();
      await app.stop();
      await fake.close();
    },
  };
}

export default async function approvalBench(): Promise<void> {
  await setupTemplate();
  const a = await rig(testGovernorYaml());
  try {
    for (let i = 0; i < 3; i++)
      await click(a.t, PEOPLE.outsider, "approve", (await adrInReview(a.t, { tier: 3 })).adrId);
    await baseline(a.t);
    await differentRequests(a.t);
  } finally {
    await a.stop();
  }
  // A 25-seat committee (quorum 13): 50 clicks, two per voter, all at once.
  const yaml = testGovernorYaml();
  const committee = yaml.committee as {
    chair: string;
    co_chair: string;
    members: { user: string; role: string }[];
  };
  const extra = Array.from({ length: 20 }, (_, i) => ({
    user: `UBENCH${String(i).padStart(4, "0")}`,
    role: "member",
  }));
  const members = [...committee.members, ...extra];
  const b = await rig({ ...yaml, committee: { ...committee, members } });
  try {
    for (let i = 0; i < 3; i++)
      await click(b.t, PEOPLE.outsider, "approve", (await adrInReview(b.t, { tier: 3 })).adrId);
    await oneRequest(b.t, [...members.map((m) => m.user), committee.chair, committee.co_chair]);
  } finally {
    await b.stop();
  }
}
