import { asc } from "drizzle-orm";
import { anchorMessage } from "../../../blocks/audit/messages.ts";
import { auditAnchors, auditChainHeads } from "../../db/schema/index.ts";
import { anchorHash, type ChainHeads } from "../../domain/audit.ts";
import type { Deps } from "../deps.ts";
import { enqueueOutbox } from "../effects.ts";
import { inTransaction } from "../run.ts";

export interface AnchorResult {
  anchorId: number;
  anchorHash: string;
  chains: number;
  entries: number;
}

/**
 * The daily anchor: the heads of all chains, read in one statement (one
 * consistent snapshot), hashed together, stored in audit_anchors, published
 * to the committee channel and recorded as an `audit_anchored` entry. The
 * entry is appended AFTER the heads were read, so the anchor covers the trail
 * as it was before it. Running it twice (a retried job) only adds a second,
 * equally valid anchor.
 */
export async function anchorAuditChains(deps: Deps): Promise<AnchorResult> {
  return inTransaction(deps, async (tx, fx) => {
    const rows = await tx
      .select({ chain: auditChainHeads.chain, seq: auditChainHeads.seq, hash: auditChainHeads.hash })
      .from(auditChainHeads)
      .orderBy(asc(auditChainHeads.chain));
    const heads: ChainHeads = {};
    let entries = 0;
    for (const r of rows) {
      heads[r.chain] = { seq: r.seq, hash: r.hash };
      entries += r.seq;
    }
    const hash = anchorHash(heads);
    const now = deps.now();
    const [anchor] = await tx
      .insert(auditAnchors)
      .values({ anchorHash: hash, heads, anchoredAt: now })
      .returning({ id: auditAnchors.id });
    const result: AnchorResult = { anchorId: anchor!.id, anchorHash: hash, chains: rows.length, entries };
    await deps.audit.append(tx, {
      type: "audit_anchored",
      actor: { system: "audit-anchor" },
      at: now,
      data: { anchor_id: result.anchorId, anchor_hash: hash, chains: result.chains, entries },
    });
    await enqueueOutbox(tx, fx, {
      op: "post",
      channel: deps.config.channels.committee,
      ref: `audit-anchor-${result.anchorId}`,
      message: anchorMessage({ ...result, anchoredAt: now.toISOString() }),
    });
    return result;
  });
}
