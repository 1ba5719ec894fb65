import { and, asc, eq, gt, gte, lte, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.ts";
import { auditEntries } from "../../db/schema/index.ts";
import { rangePages } from "./pages.ts";

export interface ExportOptions {
  /** Only entries that occurred at or after this instant. */
  since?: Date | undefined;
  /** Only this chain (then in seq order). */
  chain?: string | undefined;
  pageSize?: number;
}

type Row = typeof auditEntries.$inferSelect;

/**
 * Audit entries as JSON Lines for a SIEM, streamed in constant memory: one
 * chain in seq order, or all chains in the order they were written (id), read
 * by key ranges (see rangePages). Each line holds every stored field,
 * occurred_at as ISO-8601 UTC, so a consumer can re-verify the hashes (see the
 * README's canonical JSON section).
 */
export async function* exportAuditLines(db: DbOrTx, opts: ExportOptions = {}): AsyncGenerator<string> {
  const byChain = opts.chain !== undefined;
  const key = byChain ? auditEntries.seq : auditEntries.id;
  const scope: SQL | undefined = byChain ? eq(auditEntries.chain, opts.chain!) : undefined;
  const since = opts.since ? gte(auditEntries.occurredAt, opts.since) : undefined;
  const bound = async (fn: "min" | "max", where: SQL | undefined): Promise<number | null> => {
    const [row] = await db
      .select({ v: sql<string | number | null>`${sql.raw(fn)}(${key})` })
      .from(auditEntries)
      .where(where);
    return row?.v === null || row?.v === undefined ? null : Number(row.v);
  };
  // With --since, start at the first matching entry rather than at the beginning.
  const first = since ? await bound("min", and(scope, since)) : null;
  if (since && first === null) return;
  const pages = rangePages<Row>({
    max: await bound("max", scope),
    width: opts.pageSize ?? 2000,
    after: first === null ? null : first - 1,
    fetch: (lo, hi) =>
      db
        .select()
        .from(auditEntries)
        .where(and(scope, since, lo === null ? undefined : gt(key, lo), lte(key, hi)))
        .orderBy(asc(key), asc(auditEntries.id))
        .execute(),
    firstAfter: (hi) => bound("min", and(scope, gt(key, hi))),
  });
  for await (const page of pages) for (const row of page) yield exportLine(row);
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
