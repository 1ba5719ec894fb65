import { type Db, type DbOrTx, queryRows, sql } from "../../db/client.ts";
import { GENESIS_HASH } from "../../domain/audit.ts";
import type { ChainVerification } from "../../domain/audit-verify.ts";

export interface ParallelVerify {
  /** Connections checking ranges at once (each a Postgres backend: about one per core). */
  connections: number;
  /** Seqs per range (default 10,000). */
  rangeWidth?: number;
}

/** Seqs per range by default: one query of a few milliseconds. */
const RANGE_WIDTH = 10_000;
/** Small chains share a task up to this many ranges. */
const RANGES_PER_TASK = 200;

/**
 * The canonical JSON of an entry (canonicalEntry) built by Postgres from the
 * stored columns: to_json escapes strings exactly as JSON.stringify does for
 * valid UTF-8, integers print alike, occurred_at is formatted as
 * toISOString writes it, and data is the stored canonical text. Where the
 * two could ever differ (a year beyond 9999, data stored as jsonb rendered
 * it before data kept its text), the hash does not match and the chain is
 * walked in JS, which decides. A test holds this to canonicalEntry.
 */
export const CANONICAL_ENTRY_SQL = `'{"actor":' || coalesce(to_json(actor)::text, 'null')
  || ',"agent_id":' || coalesce(agent_id::text, 'null')
  || ',"chain":' || to_json(chain)::text
  || ',"data":' || data::text
  || ',"event_type":' || to_json(event_type)::text
  || ',"occurred_at":"' || to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  || '","prev_hash":' || to_json(prev_hash)::text
  || ',"seq":' || seq
  || ',"session_id":' || coalesce(to_json(session_id)::text, 'null') || '}'`;

/** A stretch of one chain: the entries with lo < seq <= hi. */
interface VerifyRange {
  chain: string;
  lo: number;
  hi: number;
}

interface RangeResult extends VerifyRange {
  /** Exactly seqs lo+1..hi, once each, every hash recomputed equal, every inner link intact. */
  ok: boolean;
  /** prev_hash of the first entry (seq lo+1), to join with the range before. */
  firstPrev: string | null;
  /** hash of the last entry (seq hi). */
  lastHash: string | null;
}

/**
 * The fast pass of verification, for Postgres: one exported REPEATABLE READ
 * snapshot, the chains listed in it, each cut into seq ranges that several
 * connections (sharing that snapshot) check at once, Postgres itself
 * re-hashing every entry (sha256 over CANONICAL_ENTRY_SQL) and checking seqs
 * and links, so only a verdict per range crosses the wire. A chain whose
 * ranges are all intact and join up from the genesis hash to its head row is
 * reported intact (`record`). Any other chain — a range not intact, ends that
 * do not join, entries beyond the head, no head — is returned as a suspect:
 * the caller walks it again entry by entry in JS, which names the first
 * broken link exactly (and clears a chain the database only misjudged).
 */
export async function verifyInParallel(
  db: Db,
  parallel: ParallelVerify,
  chains: (tx: DbOrTx) => AsyncGenerator<string>,
  record: (result: ChainVerification) => void,
): Promise<string[]> {
  const suspects: string[] = [];
  const snapshotRead = { isolationLevel: "repeatable read", accessMode: "read only" } as const;
  await db.transaction(async (tx) => {
    const [row] = await queryRows<{ snapshot: string }>(tx, sql`select pg_export_snapshot() as snapshot`);
    const snapshot = row!.snapshot;
    const open = new Map<string, OpenChain>();
    const width = parallel.rangeWidth ?? RANGE_WIDTH;
    const tasks = planTasks(tx, chains(tx), width, open, suspects, record);
    const settle = (r: RangeResult) => {
      const state = open.get(r.chain)!;
      state.results.push(r);
      if (--state.waiting > 0) return;
      open.delete(r.chain);
      if (joinsUp(state)) {
        record({ chain: r.chain, entries: state.head.seq, last: state.head, finding: null });
      } else {
        suspects.push(r.chain);
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, parallel.connections) }, () =>
        db.transaction(async (reader) => {
          await queryRows(
            reader,
            sql.raw(`set transaction snapshot '${snapshot.replace(/[^0-9A-Fa-f-]/g, "")}'`),
          );
          for (let task = await tasks.next(); !task.done; task = await tasks.next()) {
            for (const range of task.value) settle(await checkRange(reader, range));
          }
        }, snapshotRead),
      ),
    );
  }, snapshotRead);
  return suspects.sort();
}

async function checkRange(tx: DbOrTx, range: VerifyRange): Promise<RangeResult> {
  const { chain, lo, hi } = range;
  type Row = {
    n: string | number;
    all_ok: boolean | null;
    first_seq: string | null;
    last_seq: string | null;
    first_prev: string | null;
    last_hash: string | null;
  };
  const [row] = await queryRows<Row>(
    tx,
    sql`select n, all_ok, first_seq, last_seq,
          (select prev_hash from audit_entries where chain = ${chain} and seq = ${lo + 1} limit 1) as first_prev,
          (select hash from audit_entries where chain = ${chain} and seq = ${hi} limit 1) as last_hash
        from (
          select count(*) as n, bool_and(ok) as all_ok, min(seq) as first_seq, max(seq) as last_seq
          from (
            select seq,
                   encode(sha256(convert_to(prev_hash || ${sql.raw(CANONICAL_ENTRY_SQL)}, 'UTF8')), 'hex') = hash
                   and coalesce(prev_hash = lag(hash) over w, true)
                   and coalesce(seq = lag(seq) over w + 1, true) as ok
            from audit_entries
            where chain = ${chain} and seq > ${lo} and seq <= ${hi}
            window w as (order by seq, id)
          ) entries
        ) verdict`,
  );
  const ok =
    !!row &&
    Number(row.n) === hi - lo &&
    row.all_ok === true &&
    Number(row.first_seq) === lo + 1 &&
    Number(row.last_seq) === hi;
  return { ...range, ok, firstPrev: row?.first_prev ?? null, lastHash: row?.last_hash ?? null };
}

interface OpenChain {
  head: { seq: number; hash: string };
  waiting: number;
  results: RangeResult[];
}

function joinsUp(state: OpenChain): boolean {
  const ranges = state.results.sort((a, b) => a.lo - b.lo);
  let prev = GENESIS_HASH;
  for (const r of ranges) {
    if (!r.ok || r.firstPrev !== prev) return false;
    prev = r.lastHash!;
  }
  return prev === state.head.hash;
}

/** Tasks of ranges, chain after chain, as the workers ask for them (bounded memory). */
async function* planTasks(
  tx: DbOrTx,
  chains: AsyncGenerator<string>,
  width: number,
  open: Map<string, OpenChain>,
  suspects: string[],
  record: (result: ChainVerification) => void,
): AsyncGenerator<VerifyRange[]> {
  let task: VerifyRange[] = [];
  let span = 0;
  for await (const chain of chains) {
    const [info] = await queryRows<{
      head_seq: string | null;
      head_hash: string | null;
      max_seq: string | null;
    }>(
      tx,
      sql`select h.seq as head_seq, h.hash as head_hash,
                 (select max(seq) from audit_entries where chain = ${chain}) as max_seq
          from (select 1) one left join audit_chain_heads h on h.chain = ${chain}`,
    );
    const headSeq = info?.head_seq == null ? null : Number(info.head_seq);
    const maxSeq = info?.max_seq == null ? 0 : Number(info.max_seq);
    if (headSeq === null || maxSeq !== headSeq) {
      suspects.push(chain);
      continue;
    }
    if (headSeq === 0) {
      // A head with no entries yet.
      if (info!.head_hash === GENESIS_HASH)
        record({ chain, entries: 0, last: { seq: 0, hash: GENESIS_HASH }, finding: null });
      else suspects.push(chain);
      continue;
    }
    // Every range counted before the first is handed out: results come back while planning goes on.
    const waiting = Math.ceil(headSeq / width);
    open.set(chain, { head: { seq: headSeq, hash: info!.head_hash! }, waiting, results: [] });
    for (let lo = 0; lo < headSeq; lo += width) {
      const hi = Math.min(lo + width, headSeq);
      task.push({ chain, lo, hi });
      span += hi - lo;
      if (span >= width || task.length >= RANGES_PER_TASK) {
        yield task;
        task = [];
        span = 0;
      }
    }
  }
  if (task.length) yield task;
}
