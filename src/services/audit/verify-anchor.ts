import { desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { auditAnchors } from "../../db/schema/index.ts";
import { anchorHash, type ChainHeads } from "../../domain/audit.ts";
import { type ChainVerification, verifyChain } from "../../domain/audit-verify.ts";
import { chainEntries, inSnapshot, type VerifySummary } from "./verify.ts";

export type AnchorVerification =
  | { found: false }
  | (VerifySummary & {
      found: true;
      anchorId: number;
      anchoredAt: Date;
      /** Set when the stored anchor row itself no longer hashes to the published anchor. */
      anchorProblem: string | null;
    });

/**
 * Proves the trail up to a published anchor is unchanged: every anchored
 * chain is walked from genesis to the anchored seq (each link re-hashed) and
 * must end on the anchored hash, and the anchored heads must still hash to the
 * anchor. A rewrite that also fixed up every later hash and the heads table
 * passes `verify`, but not this: the published anchor cannot be rewritten.
 */
export async function verifyAnchor(
  db: Db,
  hash: string,
  opts: { chain?: string; pageSize?: number; onChain?: (r: ChainVerification) => void } = {},
): Promise<AnchorVerification> {
  const [anchor] = await db
    .select()
    .from(auditAnchors)
    .where(eq(auditAnchors.anchorHash, hash))
    .orderBy(desc(auditAnchors.id))
    .limit(1);
  if (!anchor) return { found: false };
  const heads = parseHeads(anchor.heads);
  const result: AnchorVerification = {
    found: true,
    anchorId: anchor.id,
    anchoredAt: anchor.anchoredAt,
    anchorProblem: null,
    chains: 0,
    entries: 0,
    findings: [],
  };
  if (!heads) {
    result.anchorProblem = "the stored anchor's heads are not a {chain: {seq, hash}} map (altered)";
    return result;
  }
  const recomputed = anchorHash(heads);
  if (recomputed !== hash) {
    result.anchorProblem = `the stored anchor's heads hash to ${recomputed}, not to the published anchor ${hash} (altered)`;
  }
  const chains = Object.keys(heads)
    .filter((c) => opts.chain === undefined || c === opts.chain)
    .sort();
  for (const chain of chains) {
    const head = heads[chain]!;
    const verified = await inSnapshot(db, (tx) =>
      verifyChain(chain, chainEntries(tx, chain, { upTo: head.seq, pageSize: opts.pageSize }), {
        ...head,
        source: "anchor",
      }),
    );
    result.chains += 1;
    result.entries += verified.entries;
    if (verified.finding) result.findings.push(verified.finding);
    opts.onChain?.(verified);
  }
  return result;
}

function parseHeads(value: unknown): ChainHeads | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const heads: ChainHeads = {};
  for (const [chain, head] of Object.entries(value as Record<string, unknown>)) {
    const h = head as { seq?: unknown; hash?: unknown } | null;
    if (!h || !Number.isSafeInteger(h.seq) || typeof h.hash !== "string") return null;
    heads[chain] = { seq: h.seq as number, hash: h.hash };
  }
  return heads;
}
