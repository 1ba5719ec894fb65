import { and, eq, gt } from "drizzle-orm";
import { type Db, type DbOrTx, queryRows, sql } from "../../db/client.ts";
import { auditChainHeads, auditEntries } from "../../db/schema/index.ts";
import {
  type AuditRecord,
  type ChainVerification,
  type ExpectedHead,
  type Finding,
  verifyChain,
} from "../../domain/audit-verify.ts";
import { rangePages } from "./pages.ts";
import { type ParallelVerify, verifyInParallel } from "./verify-parallel.ts";

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
  /**
   * Postgres only: a fast pass first, several connections re-hashing ranges
   * in the database over one exported snapshot (see verifyInParallel); only
   * chains that are not intact are then walked one entry at a time in JS.
   */
  parallel?: ParallelVerify;
}

/**
 * Seqs per page. Two pages are alive at once (one read ahead); at 5,000 rows
 * they outlived young-generation collections and the heap grew by hundreds of
 * megabytes over a million entries, at 1,000 it stays within about 10 MB, as fast.
 */
const DEFAULT_PAGE = 1000;

/**
 * Verifies every chain (or one): each chain is read in a REPEATABLE READ
 * snapshot together with its head row, so appends committed meanwhile are
 * neither half-seen nor reported as tampering. Memory stays constant: the
 * chains are found one at a time (a loose index scan) and each chain is read
 * in pages by keyset (seq, id); findings are one per broken chain at most.
 */
export async function verifyAuditTrail(db: Db, opts: VerifyOptions = {}): Promise<VerifySummary> {
  const summary: VerifySummary = { chains: 0, entries: 0, findings: [] };
  const record = (result: ChainVerification) => {
    summary.chains += 1;
    summary.entries += result.entries;
    if (result.finding) summary.findings.push(result.finding);
    opts.onChain?.(result);
  };
  const listed = (q: DbOrTx) => (opts.chain !== undefined ? onlyIfPresent(q, opts.chain) : chainNames(q));
  const chains = opts.parallel
    ? fromList(await verifyInParallel(db, opts.parallel, listed, record))
    : listed(db);
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
      record(result);
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

async function* fromList(items: string[]): AsyncGenerator<string> {
  yield* items;
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
 * One chain's entries in seq order (up to `upTo`), read by seq ranges in a
 * constant number of rows (see rangePages): duplicates, gaps and forged
 * entries beyond the head all reach the walker.
 */
export async function* chainEntries(
  db: DbOrTx,
  chain: string,
  opts: { upTo?: number; pageSize?: number | undefined } = {},
): AsyncGenerator<AuditRecord> {
  const inChain = eq(auditEntries.chain, chain);
  const [last] = await db
    .select({ max: sql<string | number | null>`max(${auditEntries.seq})` })
    .from(auditEntries)
    .where(inChain);
  let max = last?.max === null || last?.max === undefined ? null : Number(last.max);
  if (max !== null && opts.upTo !== undefined) max = Math.min(max, opts.upTo);
  const pages = rangePages<AuditRecord>({
    max,
    width: opts.pageSize ?? DEFAULT_PAGE,
    fetch: async (lo, hi) => {
      // Raw rows (a quarter less CPU than the query builder's mapping on the
      // hot path), named as the hashed fields; occurred_at formatted by the
      // database exactly as Date.prototype.toISOString writes it (the column
      // keeps milliseconds), and data as its stored text (parsed only when
      // the entry does not match as stored), so each row already is an AuditRecord.
      const rows = await queryRows<AuditRecord>(
        db,
        sql`select id, seq, event_type,
                   to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at,
                   agent_id, session_id, actor, data::text as data_text, prev_hash, hash
            from audit_entries
            where chain = ${chain} and seq <= ${hi} ${lo === null ? sql`` : sql`and seq > ${lo}`}
            order by seq, id`,
      );
      for (const row of rows) {
        row.chain = chain;
        // bigint columns arrive as strings from postgres.js.
        row.id = Number(row.id);
        row.seq = Number(row.seq);
      }
      return rows;
    },
    firstAfter: async (hi) => {
      const [next] = await db
        .select({ seq: sql<string | number | null>`min(${auditEntries.seq})` })
        .from(auditEntries)
        .where(and(inChain, gt(auditEntries.seq, hi)));
      return next?.seq === null || next?.seq === undefined ? null : Number(next.seq);
    },
  });
  for await (const page of pages) yield* page;
}
