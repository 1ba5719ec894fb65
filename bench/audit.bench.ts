import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { sql } from "drizzle-orm";
import { type Database, openDatabase, postgresClientOf, queryRows } from "../src/db/client.ts";
import { agentChain } from "../src/domain/audit.ts";
import { type AuditEvent, createAuditWriter } from "../src/services/audit/append.ts";
import { type VerifyOptions, verifyAuditTrail } from "../src/services/audit/verify.ts";
import { createTestDatabase } from "../test/support/pg.ts";

/**
 * Audit trail figures on a dedicated fresh database (dropped after):
 * - append throughput, one entry per transaction, 1/8/32 concurrent writers,
 *   on one chain and spread over 32 chains, each followed by a fork/gap check;
 * - batched append (appendBatch of 10,000 per transaction);
 * - verify throughput over 1,000,000 entries, with RSS sampled throughout.
 * Budgets (printed, not asserted): one chain >= 1,000/s, 32 chains >= 2,000/s,
 * batched >= 20,000/s, verify >= 150,000/s with flat memory.
 */
// As the app writes on PostgreSQL: appends pipelined with the COMMIT (see AuditWriterOptions).
const writer = createAuditWriter("bench-audit-hmac-key-0123456789abcdef", { pipeline: true });
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const verdict = (value: number, budget: number) => (value >= budget ? "ok" : "BELOW BUDGET");

function event(agentId: number, i: number): AuditEvent {
  return {
    type: "tool_called",
    agentId,
    sessionId: `bench-${agentId}`,
    actor: { agentRuntime: agentId },
    data: { tool: "crm.lookup", call: i, args: { customer: `C${i % 997}`, fields: ["name", "tier"] } },
  };
}

async function chainIsLinear(database: Database, chain: string): Promise<string> {
  const [row] = await queryRows<{ n: number; max: number }>(
    database.db,
    sql`select count(*)::int as n, coalesce(max(seq), 0)::int as max from audit_entries where chain = ${chain}`,
  );
  const verified = await verifyAuditTrail(database.db, { chain });
  return row!.n === row!.max && verified.findings.length === 0
    ? "ok"
    : `BROKEN (${row!.n} rows, max seq ${row!.max})`;
}

/** CPU (ms) used so far by every Postgres process on this machine (the server is local). */
function postgresCpuMs(): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended while we looked
    }
  }
  return ticks * 10;
}

/**
 * Runs `total` transactions on `writers` concurrent connections; returns the
 * rate and the CPU each transaction cost this process (Node) and Postgres.
 */
async function transactions(
  writers: number,
  total: number,
  run: (i: number) => Promise<unknown>,
): Promise<{ perSecond: number; cpu: string }> {
  let next = 0;
  const node0 = process.cpuUsage();
  const pg0 = postgresCpuMs();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < total) await run(next++);
    }),
  );
  const perSecond = rate(total, performance.now() - started);
  const node = process.cpuUsage(node0);
  const nodeUs = (node.user + node.system) / total;
  const pgUs = ((postgresCpuMs() - pg0) * 1000) / total;
  return {
    perSecond,
    cpu: `CPU per transaction: node ${nodeUs.toFixed(0)} µs, postgres ${pgUs.toFixed(0)} µs`,
  };
}

/**
 * What this machine gives a bare one-row INSERT right now: as a transaction
 * that waits for it (BEGIN, INSERT, COMMIT), and sent alone, as a
 * transaction whose one statement nobody waits for is sent (a one-append
 * transaction, see src/db/pool.ts). The latter is the ceiling for an append.
 */
async function commitFloor(database: Database): Promise<void> {
  await database.db.execute(sql`create table bench_floor (id bigserial primary key, v text not null)`);
  const insert = () => sql`insert into bench_floor (v) values (${"x"})`;
  for (const writers of [1, 32]) {
    const waited = await transactions(writers, 3000, () =>
      database.db.transaction((tx) => tx.execute(insert())),
    );
    console.log(
      `floor: bare one-row INSERT transactions, ${writers} writer(s): ${waited.perSecond}/s; ${waited.cpu}`,
    );
    const alone = await insertsAlone(database, writers);
    console.log(
      `floor: the same INSERT sent alone (no BEGIN/COMMIT), ${writers} writer(s): ${alone.perSecond}/s; ${alone.cpu}`,
    );
  }
}

/**
 * Bare one-row INSERTs, one per transaction, each sent alone as a pipelined
 * append sends its own: straight to the transaction's postgres.js client.
 */
function insertsAlone(database: Database, writers: number, total = 3000) {
  return transactions(writers, total, () =>
    database.db.transaction(async (tx) => {
      void postgresClientOf(tx)!
        .unsafe("insert into bench_floor (v) values ($1)", ["x"])
        .catch(() => {});
    }),
  );
}

/** Not counted: the JIT compiles the append path and every connection prepares its statements. */
async function warmUp(database: Database): Promise<void> {
  await transactions(40, 4000, (i) =>
    database.db.transaction((tx) => writer.append(tx, event(1 + (i % 40), i))),
  );
  await transactions(40, 2000, () =>
    database.db.transaction((tx) => tx.execute(sql`select ${"warm"}::text as v`)),
  );
}

async function appendThroughput(database: Database, base: number): Promise<void> {
  console.log("append, one entry per transaction (3,000 each):");
  for (const chains of [1, 32]) {
    for (const writers of [1, 8, 32]) {
      const agentBase = base + writers * 100 + chains * 1000;
      const { perSecond, cpu } = await transactions(writers, 3000, (i) =>
        database.db.transaction((tx) => writer.append(tx, event(agentBase + (i % chains), i))),
      );
      const checks = await Promise.all(
        Array.from({ length: chains }, (_, c) => chainIsLinear(database, agentChain(agentBase + c))),
      );
      const linear = checks.every((c) => c === "ok") ? "no fork/gap" : checks.find((c) => c !== "ok");
      const budget = chains === 1 ? 1000 : 2000;
      console.log(
        `  ${String(writers).padStart(2)} writers, ${String(chains).padStart(2)} chain(s): ${String(perSecond).padStart(6)}/s  [budget ${budget}/s: ${verdict(perSecond, budget)}]  ${linear}; ${cpu}`,
      );
      if (writers === 1) {
        // One writer waits for each commit in turn: its rate is bounded by what this
        // machine gives any one-statement commit at this moment, measured right after.
        const floor = await insertsAlone(database, 1);
        console.log(
          `             (a bare one-row INSERT sent alone, measured right after: ${floor.perSecond}/s; the append ran at ${Math.round((perSecond / floor.perSecond) * 100)}% of it)`,
        );
      }
    }
  }
}

async function batchedThroughput(database: Database): Promise<void> {
  const batches = 10;
  const size = 10_000;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let b = 0; b < batches; b++) {
    await database.db.transaction((tx) =>
      writer.appendBatch(
        tx,
        Array.from({ length: size }, (_, i) => event(90_000, b * size + i)),
      ),
    );
  }
  const perSecond = rate(batches * size, performance.now() - started);
  const used = process.cpuUsage(cpu);
  console.log(
    `batched append (${batches} x ${size} per transaction): ${perSecond}/s  [budget 20000/s: ${verdict(perSecond, 20_000)}]  ${await chainIsLinear(database, agentChain(90_000))}; node CPU ${((used.user + used.system) / (batches * size)) | 0} µs/entry`,
  );
}

async function verifyThroughput(database: Database): Promise<void> {
  const target = 1_000_000;
  const [existing] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from audit_entries`,
  );
  const missing = target - existing!.n;
  const fillStarted = performance.now();
  for (let done = 0, b = 0; done < missing; b++) {
    const size = Math.min(10_000, missing - done);
    const agentId = 100_000 + (b % 4);
    await database.db.transaction((tx) =>
      writer.appendBatch(
        tx,
        Array.from({ length: size }, (_, i) => event(agentId, done + i)),
      ),
    );
    done += size;
  }
  console.log(
    `filled to ${target} entries in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s (appendBatch, 10,000 per transaction)`,
  );
  // The budget is for verifying a PostgreSQL trail (agov audit verify, the nightly
  // job): the fast pass. The walk in JS is measured for information: it is what
  // the embedded database uses, and what re-checks a chain the fast pass found broken.
  const modes: { label: string; options: VerifyOptions; budgeted?: true }[] = [
    {
      label: `fast pass in Postgres on ${availableParallelism()} connections (agov audit verify and the nightly job on Postgres)`,
      options: { parallel: { connections: availableParallelism() } },
      budgeted: true,
    },
    {
      label:
        "entry by entry in JS, one chain at a time (the embedded database; on PostgreSQL only chains the fast pass finds broken)",
      options: {},
    },
  ];
  for (const { label, options, budgeted } of modes) {
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 25);
    const cpu = process.cpuUsage();
    const started = performance.now();
    let checked = 0;
    const progress: string[] = [];
    const summary = await verifyAuditTrail(database.db, {
      ...options,
      onChain: (r) => {
        const quarter = Math.floor(((checked + r.entries) * 4) / target);
        if (quarter > Math.floor((checked * 4) / target)) progress.push(mb(process.memoryUsage().rss));
        checked += r.entries;
      },
    });
    const elapsed = performance.now() - started;
    const used = process.cpuUsage(cpu);
    clearInterval(sampler);
    const after = process.memoryUsage().rss;
    const perSecond = rate(summary.entries, elapsed);
    console.log(
      `verify, ${label}: ${summary.entries} entries in ${summary.chains} chains, ${(elapsed / 1000).toFixed(1)} s = ${perSecond}/s  [${budgeted ? `budget 150000/s: ${verdict(perSecond, 150_000)}` : "information: the budget is the line above"}]  findings: ${summary.findings.length}`,
    );
    console.log(
      `  node CPU ${((used.user + used.system) / summary.entries).toFixed(1)} µs/entry; RSS before ${mb(before)}, peak during ${mb(peak)}, after ${mb(after)} (growth ${mb(peak - before)}); RSS at each quarter of the entries: ${progress.join(", ")}`,
    );
  }
}

export default async function bench(): Promise<void> {
  const testDb = await createTestDatabase();
  const database = await openDatabase({ url: testDb.url, max: 40 });
  try {
    await warmUp(database);
    await commitFloor(database);
    await appendThroughput(database, 100);
    await batchedThroughput(database);
    await verifyThroughput(database);
  } finally {
    await database.close();
    await testDb.drop();
  }
}
