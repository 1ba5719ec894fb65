import { and, asc, eq, gt, gte, lte, or, type SQL } from "drizzle-orm";
import { type Db, type DbOrTx, queryRows, sql } from "../../db/client.ts";
import { auditChainHeads, auditEntries } from "../../db/schema/index.ts";
import {
  type AuditRecord,
  type ChainVerification,
  type ExpectedHead,
  type Finding,
  verifyChain,
} from "../../domain/audit-verify.ts";

export interface VerifySummary {
  chains: number;
  entries: number;
  /** The first broken link of each broken chain. */
  findings: Finding[];
}

export interface VerifyOptions {
  /** Only this chain. */
  chain?: string;
  pageSize?: number;
  /**
   * Chains walked at once, each on its own connection (default 1). Keep 1 on
   * the embedded database: PGlite has a single session.
   */
  concurrency?: number;
  /** Called as each chain is done (the CLI prints findings as they come). */
  onChain?: (result: ChainVerification) => void;
}

const DEFAULT_PAGE = 2000;

/**
 * Verifies every chain (or one): each chain is read in a REPEATABLE READ
 * snapshot together with its head row, so appends committed meanwhile are
 * neither half-seen nor reported as tampering. Memory stays constant: the
 * chains are found one at a time (a loose index scan) and each chain is read
 * in pages by keyset (seq, id); findings are one per broken chain at most.
 */
export async function verifyAuditTrail(db: Db, opts: VerifyOptions = {}): Promise<VerifySummary> {
  const summary: VerifySummary = { chains: 0, entries: 0, findings: [] };
  const chains = opts.chain !== undefined ? onlyIfPresent(db, opts.chain) : chainNames(db);
  const walker = async () => {
    // Several walkers pull from one generator: an async generator queues next() calls.
    for (let next = await chains.next(); !next.done; next = await chains.next()) {
      const chain = next.value;
      const result = await inSnapshot(db, async (tx) => {
        const [head] = await tx
          .select({ seq: auditChainHeads.seq, hash: auditChainHeads.hash })
          .from(auditChainHeads)
          .where(eq(auditChainHeads.chain, chain));
        const expected: ExpectedHead | null = head ? { ...head, source: "head" } : null;
        return verifyChain(chain, chainEntries(tx, chain, { pageSize: opts.pageSize }), expected);
      });
      summary.chains += 1;
      summary.entries += result.entries;
      if (result.finding) summary.findings.push(result.finding);
      opts.onChain?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, walker));
  summary.findings.sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));
  return summary;
}

/** A consistent, read-only view of the trail for one chain's walk. */
export function inSnapshot<T>(db: Db, body: (tx: DbOrTx) => Promise<T>): Promise<T> {
  return db.transaction(body, { isolationLevel: "repeatable read", accessMode: "read only" });
}

/** Every chain that has entries or a head, in order, one index probe each. */
export async function* chainNames(db: DbOrTx): AsyncGenerator<string> {
  let after = "";
  for (;;) {
    const [row] = await queryRows<{ chain: string | null }>(
      db,
      sql`select least(
            (select min(chain) from audit_entries where chain > ${after}),
            (select min(chain) from audit_chain_heads where chain > ${after})) as chain`,
    );
    if (!row?.chain) return;
    yield row.chain;
    after = row.chain;
  }
}

async function* onlyIfPresent(db: DbOrTx, chain: string): AsyncGenerator<string> {
  const [row] = await queryRows<{ present: boolean }>(
    db,
    sql`select exists(select 1 from audit_entries where chain = ${chain})
            or exists(select 1 from audit_chain_heads where chain = ${chain}) as present`,
  );
  if (row?.present) yield chain;
}

/**
 * The stored fields under their hashed names; occurred_at formatted by the
 * database exactly as Date.prototype.toISOString writes it (the column keeps
 * milliseconds), so each row already is an AuditRecord: no second object.
 */
const RECORD_COLUMNS = {
  id: auditEntries.id,
  chain: auditEntries.chain,
  seq: auditEntries.seq,
  event_type: auditEntries.eventType,
  occurred_at: sql<string>`to_char(${auditEntries.occurredAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  agent_id: auditEntries.agentId,
  session_id: auditEntries.sessionId,
  actor: auditEntries.actor,
  data: auditEntries.data,
  prev_hash: auditEntries.prevHash,
  hash: auditEntries.hash,
};

/**
 * One chain's entries in seq order, by keyset pages of (seq, id) — the id
 * breaks ties should the unique index ever be dropped and a seq duplicated.
 * The next page is fetched while the caller hashes the current one.
 */
export async function* chainEntries(
  db: DbOrTx,
  chain: string,
  opts: { upTo?: number; pageSize?: number | undefined } = {},
): AsyncGenerator<AuditRecord> {
  const pageSize = opts.pageSize ?? DEFAULT_PAGE;
  const fetchPage = (after: { seq: number; id: number } | null): Promise<AuditRecord[]> => {
    const conditions: (SQL | undefined)[] = [eq(auditEntries.chain, chain)];
    if (after) {
      conditions.push(gte(auditEntries.seq, after.seq));
      conditions.push(or(gt(auditEntries.seq, after.seq), gt(auditEntries.id, after.id)));
    }
    if (opts.upTo !== undefined) conditions.push(lte(auditEntries.seq, opts.upTo));
    return db
      .select(RECORD_COLUMNS)
      .from(auditEntries)
      .where(and(...conditions))
      .orderBy(asc(auditEntries.seq), asc(auditEntries.id))
      .limit(pageSize)
      .execute();
  };
  let next: Promise<AuditRecord[]> | null = fetchPage(null);
  try {
    while (next) {
      const page: AuditRecord[] = await next;
      const last = page.at(-1);
      next = last && page.length === pageSize ? fetchPage({ seq: last.seq, id: last.id }) : null;
      yield* page;
    }
  } finally {
    // The caller stopped early (first finding): let the prefetch settle quietly.
    await next?.catch(() => {});
  }
}
