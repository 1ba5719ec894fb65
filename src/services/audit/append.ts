import { type SQL, sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { type DbOrTx, postgresClientOf, queryRows } from "../../db/client.ts";
import { pgArray } from "../../db/pg-array.ts";
import { canonicalValue } from "../../domain/audit-canonical.ts";
import {
  AUDIT_EVENT_TYPES,
  type AuditEventType,
  agentChain,
  type EntryDraft,
  entryHashWithData,
  GENESIS_HASH,
  GOVERNANCE_CHAIN,
  pseudonymise,
  sanitiseEventData,
  splitCanonicalEntry,
} from "../../domain/audit.ts";

/** Who did it: a Slack user (pseudonymised before storage) or a named system actor. */
export type Actor = { slackUser: string } | { system: string } | { agentRuntime: number };

export interface AuditEvent {
  type: AuditEventType;
  agentId?: number | null;
  sessionId?: string | null;
  actor?: Actor | null;
  data?: Record<string, unknown>;
  /** Sensitive events have content replaced by its hash. */
  sensitive?: boolean;
  at?: Date;
}

export interface AppendedEntry {
  id: number;
  chain: string;
  seq: number;
  hash: string;
}

/**
 * Chain integrity under concurrency. A single append (what services do) is
 * one INSERT into audit_pending (pipelined with what follows it, see
 * AuditWriterOptions); a deferred constraint trigger links it at
 * COMMIT (migration 0002_audit_link_at_commit): it locks the chain (an
 * advisory lock on the chain, then its audit_chain_heads row: migration
 * 0003_audit_chain_lock), takes seq and prev_hash from it, hashes, inserts the
 * entry and moves the head. So appends to one chain are serialised by the
 * database (no fork, no duplicate seq), other chains are untouched, the head
 * is locked only for the commit itself, and a rollback never reaches the
 * trigger (no entry, no gap). Entries of one transaction are linked in the
 * order they were appended; chains are numbered in commit order.
 */
export interface AuditWriter {
  /**
   * Appends inside the caller's transaction: linked into its chain when the
   * transaction commits (seq and hash are known only then), rolled back with it.
   */
  append(tx: DbOrTx, event: AuditEvent): Promise<void>;
  /**
   * Many entries in one transaction (runtime API ingestion), linked at once:
   * locks each chain's head until commit; results (seq, hash) in input order.
   */
  appendBatch(tx: DbOrTx, events: AuditEvent[]): Promise<AppendedEntry[]>;
  actorId(actor: Actor | null | undefined): string | null;
}

/** The pending row of one append: its columns and the type each parameter is cast to. */
const PENDING_COLUMNS = [
  ["chain", "text"],
  ["event_type", "text"],
  ["occurred_at", "timestamptz"],
  ["agent_id", "integer"],
  ["session_id", "text"],
  ["actor", "text"],
  ["data", "json"],
  ["before", "text"],
  ["after", "text"],
] as const;

const INSERT_PENDING = `insert into audit_pending (${PENDING_COLUMNS.map(([c]) => c).join(", ")}) values (${PENDING_COLUMNS.map(([, t], i) => `$${i + 1}::${t}`).join(", ")})`;

/** The same INSERT through drizzle (PGlite, or a client that is not postgres.js). */
function insertPending(params: unknown[]): SQL {
  return sql`insert into audit_pending (${sql.raw(PENDING_COLUMNS.map(([c]) => c).join(", "))}) values (${sql.join(
    PENDING_COLUMNS.map(([, t], i) => sql`${params[i]}::${sql.raw(t)}`),
    sql`, `,
  )})`;
}

/**
 * Rows per INSERT statement in a batch. Each statement goes out as soon as
 * its rows are hashed, without waiting for the previous one's reply (see
 * appendMany), so Postgres inserts these rows while Node hashes the next.
 * Measured here: batches of 10,000 at 36,000-38,000/s (one statement of
 * 5,000 rows after another, each awaited: 22,800/s), about the same from 100
 * to 1,000 rows per statement; a runtime API request of 1,000 events took
 * p50 53-55 ms at 100-250 rows per statement, 66 ms as one statement.
 */
const ROWS_PER_STATEMENT = 250;

export interface AuditWriterOptions {
  /**
   * Send an append's INSERT without waiting for it: it goes out with the
   * transaction's next statement or its COMMIT (or alone, in a transaction
   * that does nothing else: see src/db/pool.ts), so an append costs no round
   * trip of its own. Only for a transaction runner that fails the COMMIT when
   * a statement nobody awaited failed (the pool of src/db/pool.ts does;
   * PGlite's runner does not, and a failed append would then be lost with a
   * silently rolled-back transaction). Outside a transaction an append is
   * always awaited.
   */
  pipeline?: boolean;
}

export function createAuditWriter(hmacKey: string, opts: AuditWriterOptions = {}): AuditWriter {
  const actorId = (actor: Actor | null | undefined): string | null => {
    if (!actor) return null;
    if ("slackUser" in actor) return `u-${pseudonymise(hmacKey, actor.slackUser)}`;
    if ("agentRuntime" in actor) return `agent-runtime-${actor.agentRuntime}`;
    return `system-${actor.system}`;
  };

  const draftOf = (chain: string, event: AuditEvent): EntryDraft => {
    if (!AUDIT_EVENT_TYPES.has(event.type)) throw new Error(`unknown audit event type ${event.type}`);
    return {
      chain,
      event_type: event.type,
      occurred_at: (event.at ?? new Date()).toISOString(),
      agent_id: event.agentId ?? null,
      session_id: event.sessionId ?? null,
      actor: actorId(event.actor),
      data: sanitiseEventData(event.data ?? {}, event.sensitive ?? false),
    };
  };

  /**
   * One entry: a pending row, linked into the chain by the commit-time
   * trigger. The statement's `then` is called at once (an `await` would call
   * it a microtask later), so the INSERT is handed to the transaction before
   * this returns: a transaction that ends right after still carries it.
   */
  function appendOne(tx: DbOrTx, draft: EntryDraft, pipelined: boolean): Promise<void> {
    const { before, after, data } = splitCanonicalEntry(draft);
    const params = [
      draft.chain,
      draft.event_type,
      draft.occurred_at,
      draft.agent_id,
      draft.session_id,
      draft.actor,
      data,
      before,
      after,
    ];
    // Pipelined on postgres.js, the one fixed statement goes straight to the
    // transaction's client: drizzle would build the same text again for every
    // append. (Its failure reaches the caller from the COMMIT, as the driver's
    // error; an awaited append fails with drizzle's error, as other queries do.)
    const client = pipelined ? postgresClientOf(tx) : null;
    if (client) return client.unsafe(INSERT_PENDING, params).then(() => undefined);
    return tx.execute(insertPending(params)).then(() => undefined);
  }

  async function appendMany(tx: DbOrTx, chain: string, drafts: EntryDraft[]): Promise<AppendedEntry[]> {
    let head = await lockHead(tx, chain);
    if (!head) {
      await createHead(tx, chain);
      head = (await lockHead(tx, chain))!;
    }
    let seq = head.seq;
    let prev = head.hash;
    // Each statement is sent as soon as its rows are hashed, and the next rows
    // are hashed while Postgres inserts these: Node's work and the database's
    // overlap instead of taking turns. Their results are read in order below.
    // (A statement is only handed to the driver a few microtasks after it is
    // made, so the loop lets the event loop run once before hashing on:
    // without that, every statement went out after the last was hashed.)
    const sent: {
      first: number;
      hashes: string[];
      inserted: Promise<{ id: string | number; seq: string | number }[]>;
    }[] = [];
    for (let start = 0; start < drafts.length; start += ROWS_PER_STATEMENT) {
      const end = Math.min(drafts.length, start + ROWS_PER_STATEMENT);
      const n = end - start;
      const first = seq + 1;
      const seqs: number[] = new Array(n);
      const datas: string[] = new Array(n);
      const prevs: string[] = new Array(n);
      const hashes: string[] = new Array(n);
      for (let k = 0; k < n; k++) {
        const d = drafts[start + k]!;
        seq += 1;
        // The data's canonical JSON, written once: hashed, and stored verbatim (type json).
        const data = canonicalValue(d.data);
        const entry = {
          chain: d.chain,
          seq,
          event_type: d.event_type,
          occurred_at: d.occurred_at,
          agent_id: d.agent_id,
          session_id: d.session_id,
          actor: d.actor,
          prev_hash: prev,
        };
        const hash = entryHashWithData(entry, data);
        seqs[k] = seq;
        datas[k] = data;
        prevs[k] = prev;
        hashes[k] = hash;
        prev = hash;
      }
      const isLast = end >= drafts.length;
      const part = drafts.slice(start, end);
      const column = (pick: (d: EntryDraft) => unknown) => pgArray(part.map(pick));
      // Ten array parameters whatever the batch size (Postgres allows 65535 bind
      // parameters; unnest is also several times faster than json_to_recordset).
      const inserted = queryRows<{ id: string | number; seq: string | number }>(
        tx,
        sql`with ins as (
              insert into audit_entries (chain, seq, event_type, occurred_at, agent_id, session_id, actor, data, prev_hash, hash)
              select * from unnest(${column((d) => d.chain)}::text[], ${pgArray(seqs)}::bigint[], ${column((d) => d.event_type)}::text[],
                ${column((d) => d.occurred_at)}::timestamptz[], ${column((d) => d.agent_id)}::integer[], ${column((d) => d.session_id)}::text[],
                ${column((d) => d.actor)}::text[], ${pgArray(datas)}::json[],
                ${pgArray(prevs)}::text[], ${pgArray(hashes)}::text[])
              returning id, seq
            )${isLast ? sql`, head as (update audit_chain_heads set seq = ${seq}, hash = ${prev} where chain = ${chain})` : sql``}
            select id, seq from ins order by seq`,
      );
      // Read below, in order; a later statement failing first must not go unhandled meanwhile.
      inserted.catch(() => {});
      sent.push({ first, hashes, inserted });
      if (!isLast) await new Promise((resolve) => setImmediate(resolve));
    }
    const out: AppendedEntry[] = [];
    for (const { first, hashes, inserted } of sent) {
      for (const r of await inserted) {
        out.push({ id: Number(r.id), chain, seq: Number(r.seq), hash: hashes[Number(r.seq) - first]! });
      }
    }
    return out;
  }

  const chainOf = (e: AuditEvent) => (e.agentId ? agentChain(e.agentId) : GOVERNANCE_CHAIN);

  return {
    actorId,
    async append(tx, event) {
      const pipelined = opts.pipeline === true && tx instanceof PgTransaction;
      const inserting = appendOne(tx, draftOf(chainOf(event), event), pipelined);
      if (!pipelined) return inserting;
      // On its way now; if it fails, the transaction's next statement or COMMIT fails with its error.
      inserting.catch(() => {});
    },
    async appendBatch(tx, events) {
      const drafts = events.map((e) => draftOf(chainOf(e), e));
      const byChain = new Map<string, number[]>();
      drafts.forEach((d, i) => {
        const list = byChain.get(d.chain) ?? [];
        list.push(i);
        byChain.set(d.chain, list);
      });
      // Lock chains in a fixed order so two batches cannot deadlock. (A
      // transaction that appends to chain A then B with separate calls while
      // another goes B then A can: Postgres then aborts one of them.)
      const out: AppendedEntry[] = new Array(events.length);
      for (const chain of [...byChain.keys()].sort()) {
        const indices = byChain.get(chain)!;
        const appended = await appendMany(
          tx,
          chain,
          indices.map((i) => drafts[i]!),
        );
        indices.forEach((i, k) => {
          out[i] = appended[k]!;
        });
      }
      return out;
    },
  };
}

/**
 * Locks the chain as the commit-time trigger does: its advisory lock first
 * (migration 0003_audit_chain_lock), then its head row.
 */
async function lockHead(tx: DbOrTx, chain: string): Promise<{ seq: number; hash: string } | null> {
  await queryRows(tx, sql`select audit_lock_chain(${chain})`);
  const [row] = await queryRows<{ seq: string | number; hash: string }>(
    tx,
    sql`select seq, hash from audit_chain_heads where chain = ${chain} for update`,
  );
  return row ? { seq: Number(row.seq), hash: row.hash } : null;
}

async function createHead(tx: DbOrTx, chain: string): Promise<void> {
  await queryRows(
    tx,
    sql`insert into audit_chain_heads (chain, seq, hash) values (${chain}, 0, ${GENESIS_HASH})
        on conflict (chain) do nothing`,
  );
}
