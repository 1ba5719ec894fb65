import { and, asc, eq, gt, gte, or, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.ts";
import { auditEntries } from "../../db/schema/index.ts";

export interface ExportOptions {
  /** Only entries that occurred at or after this instant. */
  since?: Date;
  /** Only this chain (then in seq order). */
  chain?: string;
  pageSize?: number;
}

type Row = typeof auditEntries.$inferSelect;

/**
 * Audit entries as JSON Lines for a SIEM, streamed by keyset pages so memory
 * stays constant: one chain in (seq, id) order, or all chains in
 * (occurred_at, id) order (the audit_occurred_idx index). Each line holds
 * every stored field, occurred_at as ISO-8601 UTC, so a consumer can re-verify
 * the hashes (see the README's canonical JSON section).
 */
export async function* exportAuditLines(db: DbOrTx, opts: ExportOptions = {}): AsyncGenerator<string> {
  const pageSize = opts.pageSize ?? 2000;
  const base: (SQL | undefined)[] = [];
  if (opts.chain !== undefined) base.push(eq(auditEntries.chain, opts.chain));
  if (opts.since) base.push(gte(auditEntries.occurredAt, opts.since));
  let after: Row | null = null;
  for (;;) {
    const page: Row[] = await db
      .select()
      .from(auditEntries)
      .where(and(...base, after ? keysetAfter(after, opts.chain !== undefined) : undefined))
      .orderBy(
        ...(opts.chain !== undefined
          ? [asc(auditEntries.seq), asc(auditEntries.id)]
          : [asc(auditEntries.occurredAt), asc(auditEntries.id)]),
      )
      .limit(pageSize);
    for (const row of page) yield exportLine(row);
    if (page.length < pageSize) return;
    after = page.at(-1)!;
  }
}

/** Index-friendly keyset: a range on the leading column, the tie broken by id. */
function keysetAfter(last: Row, byChain: boolean): SQL {
  if (byChain) {
    return and(
      gte(auditEntries.seq, last.seq),
      or(gt(auditEntries.seq, last.seq), gt(auditEntries.id, last.id)),
    )!;
  }
  const at = last.occurredAt.toISOString();
  return and(
    sql`${auditEntries.occurredAt} >= ${at}::timestamptz`,
    or(sql`${auditEntries.occurredAt} > ${at}::timestamptz`, gt(auditEntries.id, last.id)),
  )!;
}

export function exportLine(row: Row): string {
  return JSON.stringify({
    id: row.id,
    chain: row.chain,
    seq: row.seq,
    event_type: row.eventType,
    occurred_at: row.occurredAt.toISOString(),
    agent_id: row.agentId,
    session_id: row.sessionId,
    actor: row.actor,
    data: row.data,
    prev_hash: row.prevHash,
    hash: row.hash,
  });
}
