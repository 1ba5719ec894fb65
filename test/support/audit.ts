import { asc, eq } from "drizzle-orm";
import postgres from "postgres";
import type { Db } from "../../src/db/client.ts";
import { type AuditEntryRow, auditEntries } from "../../src/db/schema/index.ts";
import { entryHash, type HashedEntry } from "../../src/domain/audit.ts";
import type { AuditEvent, AuditWriter } from "../../src/services/audit/append.ts";

/** Appends each event in its own transaction, one after the other. */
export async function appendEach(db: Db, writer: AuditWriter, events: AuditEvent[]): Promise<void> {
  for (const event of events) await db.transaction((tx) => writer.append(tx, event));
}

/** n tool_called events for one agent's chain (agent-<id>). */
export function agentEvents(agentId: number, n: number, at = new Date("2025-03-01T10:00:00Z")): AuditEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    type: "tool_called" as const,
    agentId,
    sessionId: `s-${agentId}`,
    actor: { agentRuntime: agentId },
    data: { tool: "crm.lookup", call: i + 1 },
    at: new Date(at.getTime() + i * 1000),
  }));
}

/**
 * Runs `body` as the superuser with triggers disabled for the transaction
 * (session_replication_role = replica): what an attacker with full database
 * rights can do, and what verification must then expose.
 */
export async function asSuperuserBypassingTriggers(
  url: string,
  body: (sql: postgres.TransactionSql) => Promise<unknown>,
): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await body(tx);
    });
  } finally {
    await sql.end();
  }
}

export interface RawEntry {
  id: string;
  chain: string;
  seq: string;
  event_type: string;
  occurred_at: Date;
  agent_id: number | null;
  session_id: string | null;
  actor: string | null;
  data: unknown;
  prev_hash: string;
  hash: string;
}

/** The hashed form of a raw row, for an attacker recomputing hashes. */
export function hashedOf(row: RawEntry, overrides: Partial<HashedEntry> = {}): HashedEntry {
  return {
    chain: row.chain,
    seq: Number(row.seq),
    event_type: row.event_type,
    occurred_at: row.occurred_at.toISOString(),
    agent_id: row.agent_id,
    session_id: row.session_id,
    actor: row.actor,
    data: row.data,
    prev_hash: row.prev_hash,
    ...overrides,
  };
}

/**
 * Rewrites a chain from `fromSeq` on with new data and recomputes every later
 * hash and the head: a careful attacker's rewrite that plain verification
 * cannot see (only an anchor can).
 */
export async function rewriteChain(
  tx: postgres.TransactionSql,
  chain: string,
  fromSeq: number,
  data: Record<string, unknown>,
): Promise<void> {
  const rows = await tx<RawEntry[]>`select * from audit_entries where chain = ${chain} order by seq`;
  let prev = rows.find((r) => Number(r.seq) === fromSeq)!.prev_hash;
  for (const row of rows.filter((r) => Number(r.seq) >= fromSeq)) {
    const entry = hashedOf(row, { prev_hash: prev, ...(Number(row.seq) === fromSeq ? { data } : {}) });
    prev = entryHash(entry);
    await tx`update audit_entries set data = ${tx.json(entry.data as never)}, prev_hash = ${entry.prev_hash}, hash = ${prev}
             where id = ${row.id}`;
  }
  await tx`update audit_chain_heads set hash = ${prev} where chain = ${chain}`;
}

export async function entriesOf(db: Db, chain: string): Promise<AuditEntryRow[]> {
  return db.select().from(auditEntries).where(eq(auditEntries.chain, chain)).orderBy(asc(auditEntries.seq));
}
