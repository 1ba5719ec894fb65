import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "../../db/client.ts";
import {
  AUDIT_EVENT_TYPES,
  type AuditEventType,
  agentChain,
  entryHash,
  GENESIS_HASH,
  GOVERNANCE_CHAIN,
  type HashedEntry,
  pseudonymise,
  sanitiseEventData,
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

export interface AuditWriter {
  /** Appends inside the caller's transaction: rolled back with it, no gap. */
  append(tx: DbOrTx, event: AuditEvent): Promise<AppendedEntry>;
  /** Many entries in one transaction (runtime API ingestion); one lock per chain. */
  appendBatch(tx: DbOrTx, events: AuditEvent[]): Promise<AppendedEntry[]>;
  actorId(actor: Actor | null | undefined): string | null;
}

export function createAuditWriter(hmacKey: string): AuditWriter {
  const actorId = (actor: Actor | null | undefined): string | null => {
    if (!actor) return null;
    if ("slackUser" in actor) return `u-${pseudonymise(hmacKey, actor.slackUser)}`;
    if ("agentRuntime" in actor) return `agent-runtime-${actor.agentRuntime}`;
    return `system-${actor.system}`;
  };

  async function appendToChain(tx: DbOrTx, chain: string, events: AuditEvent[]): Promise<AppendedEntry[]> {
    // The upsert takes the head row's lock until commit: appends to one chain
    // are serialised (no fork, no duplicate seq), other chains are untouched.
    const [head] = await queryRows<{ seq: string | number; hash: string }>(
      tx,
      sql`insert into audit_chain_heads (chain, seq, hash) values (${chain}, 0, ${GENESIS_HASH})
          on conflict (chain) do update set chain = excluded.chain
          returning seq, hash`,
    );
    let seq = Number(head!.seq);
    let prev = head!.hash;
    const rows: HashedEntry[] = [];
    for (const event of events) {
      if (!AUDIT_EVENT_TYPES.has(event.type)) throw new Error(`unknown audit event type ${event.type}`);
      seq += 1;
      const entry: HashedEntry = {
        chain,
        seq,
        event_type: event.type,
        occurred_at: (event.at ?? new Date()).toISOString(),
        agent_id: event.agentId ?? null,
        session_id: event.sessionId ?? null,
        actor: actorId(event.actor),
        data: sanitiseEventData(event.data ?? {}, event.sensitive ?? false),
        prev_hash: prev,
      };
      prev = entryHash(entry);
      rows.push({ ...entry, hash: prev } as HashedEntry & { hash: string });
    }
    const values = sql.join(
      rows.map((r) => {
        const h = (r as HashedEntry & { hash: string }).hash;
        return sql`(${r.chain}, ${r.seq}, ${r.event_type}, ${r.occurred_at}::timestamptz, ${r.agent_id}, ${r.session_id}, ${r.actor}, ${JSON.stringify(r.data)}::jsonb, ${r.prev_hash}, ${h})`;
      }),
      sql`, `,
    );
    const inserted = await queryRows<{ id: string | number; seq: string | number; hash: string }>(
      tx,
      sql`with ins as (
            insert into audit_entries (chain, seq, event_type, occurred_at, agent_id, session_id, actor, data, prev_hash, hash)
            values ${values} returning id, seq, hash
          ), head as (
            update audit_chain_heads set seq = ${seq}, hash = ${prev} where chain = ${chain}
          )
          select id, seq, hash from ins order by seq`,
    );
    return inserted.map((r) => ({ id: Number(r.id), chain, seq: Number(r.seq), hash: r.hash }));
  }

  const chainOf = (e: AuditEvent) => (e.agentId ? agentChain(e.agentId) : GOVERNANCE_CHAIN);

  return {
    actorId,
    async append(tx, event) {
      const [entry] = await appendToChain(tx, chainOf(event), [event]);
      return entry!;
    },
    async appendBatch(tx, events) {
      const byChain = new Map<string, AuditEvent[]>();
      for (const e of events) {
        const list = byChain.get(chainOf(e)) ?? [];
        list.push(e);
        byChain.set(chainOf(e), list);
      }
      // Lock chains in a fixed order so two batches cannot deadlock.
      const out: AppendedEntry[] = [];
      for (const chain of [...byChain.keys()].sort())
        out.push(...(await appendToChain(tx, chain, byChain.get(chain)!)));
      return out;
    },
  };
}
