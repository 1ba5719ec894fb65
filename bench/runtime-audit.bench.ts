import { agentChain } from "../src/domain/audit.ts";
import { verifyAuditTrail } from "../src/services/audit/verify.ts";
import { issueAgentToken } from "../src/services/runtime/tokens.ts";
import { createAgent } from "../test/support/agent-fixtures.ts";
import { PEOPLE, startTestApp, type TestApp } from "../test/support/app.ts";
import { fmt, load, summarise } from "./stats.ts";

/**
 * Runtime audit ingestion through HTTP (POST /api/v1/audit/events) on the
 * in-process app (real Postgres): batches of 100 and 1000 events, 1 and 8
 * concurrent clients, each client a different agent (its own chain) as real
 * runtimes would be, plus 8 clients sharing ONE agent (chain lock contention).
 * Figures: entries/s, request p50/p99. The HTTP clients run in the same Node
 * process as the server, so the figures are a floor. Every chain is verified after.
 */
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));

/** A realistic mix: a credential to redact, a sensitive prompt to hash, an end-user id to pseudonymise. */
function batchBody(size: number): string {
  const events = Array.from({ length: size }, (_, i) =>
    i % 10 === 0
      ? {
          event_type: "human_approval_requested",
          session_id: `bench-${i % 7}`,
          user_id: `U${1000 + (i % 50)}`,
          sensitive: true,
          data: { prompt: `refund order ${i} for customer C${i % 997}`, amount: i },
        }
      : {
          event_type: "tool_called",
          session_id: `bench-${i % 7}`,
          user_id: `U${1000 + (i % 50)}`,
          timestamp: new Date().toISOString(),
          data: {
            tool: "crm.lookup",
            api_key: "k-bench",
            args: { customer: `C${i % 997}`, fields: ["name", "tier"] },
          },
        },
  );
  return JSON.stringify({ events });
}

async function tokensFor(t: TestApp, names: string[]): Promise<{ agentId: number; token: string }[]> {
  const { db, audit } = t.governor.deps;
  const out = [];
  for (const name of names) {
    const agent = await createAgent(db, {
      name,
      businessOwner: PEOPLE.business,
      technicalOwner: PEOPLE.techOwner,
    });
    out.push({ agentId: agent.id, token: (await issueAgentToken(db, audit, agent.id, "bench")).token });
  }
  return out;
}

export default async function (): Promise<void> {
  const t = await startTestApp({ worker: false });
  try {
    const url = `${t.governor.url}/api/v1/audit/events`;
    const scenarios = [
      { batch: 100, clients: 1, sharedAgent: false, requests: 150 },
      { batch: 100, clients: 8, sharedAgent: false, requests: 400 },
      { batch: 100, clients: 8, sharedAgent: true, requests: 400 },
      { batch: 1000, clients: 1, sharedAgent: false, requests: 30 },
      { batch: 1000, clients: 8, sharedAgent: false, requests: 80 },
      { batch: 1000, clients: 8, sharedAgent: true, requests: 80 },
    ];
    let n = 0;
    for (const s of scenarios) {
      const names = Array.from({ length: s.sharedAgent ? 1 : s.clients }, (_, i) => `bench-${n}-${i}`);
      n++;
      const agents = await tokensFor(t, names);
      const body = batchBody(s.batch);
      // Warm-up (JIT, connection pool) outside the measurement.
      for (const a of agents) await send(url, a.token, body);
      const { latencies, wallMs } = await load(s.requests, s.clients, async (i) => {
        await send(url, agents[i % agents.length]!.token, body);
      });
      const stats = summarise(latencies);
      const findings = [];
      for (const a of agents) {
        const v = await verifyAuditTrail(t.governor.deps.db, { chain: agentChain(a.agentId) });
        findings.push(...v.findings);
      }
      console.log(
        `batch ${String(s.batch).padStart(4)}, ${s.clients} client(s), ${s.sharedAgent ? "one shared chain" : `${agents.length} chain(s)`}: ` +
          `${String(rate(s.requests * s.batch, wallMs)).padStart(6)} entries/s  ` +
          `(${s.requests} requests, p50 ${fmt(stats.p50)}, p99 ${fmt(stats.p99)})  ` +
          `chains ${findings.length ? `BROKEN: ${findings.length}` : "verify ok"}`,
      );
    }
  } finally {
    await t.close();
  }
}

async function send(url: string, token: string, body: string): Promise<void> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body,
  });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}
