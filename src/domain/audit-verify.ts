import { entryHash, entryHashWithData, GENESIS_HASH, type HashedEntry } from "./audit.ts";

/** One stored entry as the verifier reads it (the hashed fields plus the row id and stored hash). */
export interface AuditRecord extends HashedEntry {
  id: number;
  hash: string;
  /**
   * The stored JSON text of `data`, when the reader took it as text (then
   * `data` is not set): hashed as stored first, parsed only if that does not
   * match (see checkEntry).
   */
  data_text?: string;
}

/** What a chain should end with: its audit_chain_heads row, or an anchored head. */
export interface ExpectedHead {
  seq: number;
  hash: string;
  /** Where the expectation comes from, for the message ("head" or "anchor"). */
  source: "head" | "anchor";
}

export type FindingKind =
  | "hash_mismatch" // the entry's content no longer matches its hash
  | "reordered" // the entry is intact but was written at another seq
  | "broken_link" // prev_hash is not the previous entry's hash
  | "gap" // one or more seqs are missing
  | "duplicate" // a seq appears twice, or seqs go backwards
  | "truncated" // the chain ends before its recorded head
  | "beyond_head" // entries after the recorded head
  | "head_mismatch" // same seq as the head, different hash
  | "missing_head"; // entries but no head row

export interface Finding {
  chain: string;
  kind: FindingKind;
  /** The seq where the chain breaks. */
  seq: number;
  /** The row found at (or right after) that point; null when there is none. */
  entryId: number | null;
  expected?: string;
  found?: string;
  message: string;
}

export interface ChainVerification {
  chain: string;
  /** Entries checked (up to and including the first finding). */
  entries: number;
  /** The last intact entry (seq 0 and GENESIS_HASH for an empty chain). */
  last: { seq: number; hash: string };
  finding: Finding | null;
}

/** How far either side of a broken seq to look for the seq an entry was really written at. */
const REORDER_WINDOW = 64;

/**
 * Walks one chain in seq order and returns its FIRST broken link. Rows must
 * come ordered by seq (the verifier's query does that); the walk keeps only
 * the previous hash, so memory is constant however long the chain is. It
 * stops reading at the first finding. `head` (the chain's audit_chain_heads
 * row, or an anchored head) exposes a truncated or rewritten tail.
 */
export async function verifyChain(
  chain: string,
  rows: AsyncIterable<AuditRecord>,
  head: ExpectedHead | null,
): Promise<ChainVerification> {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let entries = 0;
  let lastId: number | null = null;
  const result = (finding: Finding | null): ChainVerification => ({
    chain,
    entries,
    last: { seq: expectedSeq - 1, hash: prev },
    finding,
  });
  for await (const row of rows) {
    entries += 1;
    const finding = checkEntry(chain, row, expectedSeq, prev, head);
    if (finding) return result(finding);
    prev = row.hash;
    lastId = row.id;
    expectedSeq += 1;
  }
  return result(checkTail(chain, { seq: expectedSeq - 1, hash: prev, id: lastId }, head));
}

function checkEntry(
  chain: string,
  row: AuditRecord,
  expectedSeq: number,
  prev: string,
  head: ExpectedHead | null,
): Finding | null {
  const at = { chain, entryId: row.id };
  if (row.chain !== chain) {
    return { ...at, kind: "duplicate", seq: row.seq, message: `entry belongs to chain ${row.chain}` };
  }
  if (head && row.seq > head.seq) {
    return {
      ...at,
      kind: "beyond_head",
      seq: row.seq,
      expected: `seq <= ${head.seq}`,
      found: `seq ${row.seq}`,
      message: `entry after the recorded ${head.source} (seq ${head.seq}): forged, or the ${head.source} was rolled back`,
    };
  }
  if (row.seq < expectedSeq) {
    return {
      ...at,
      kind: "duplicate",
      seq: row.seq,
      expected: `seq ${expectedSeq}`,
      found: `seq ${row.seq}`,
      message: `seq ${row.seq} appears again after seq ${expectedSeq - 1}`,
    };
  }
  if (row.seq > expectedSeq) {
    const missing =
      row.seq === expectedSeq + 1 ? `seq ${expectedSeq}` : `seqs ${expectedSeq}..${row.seq - 1}`;
    return {
      ...at,
      kind: "gap",
      seq: expectedSeq,
      expected: `seq ${expectedSeq}`,
      found: `seq ${row.seq}`,
      message: `${missing} missing (deleted); the next entry is seq ${row.seq}`,
    };
  }
  // Data read as text is hashed as stored: it was written in canonical form,
  // so it matches unless the entry changed. Only otherwise is it parsed and put
  // in canonical form, which decides (whitespace or key order alone is no change).
  if (row.data_text !== undefined && matchesAsStored(row, row.data_text)) return linkFinding(at, row, prev);
  const entry = row.data_text === undefined ? row : { ...row, data: JSON.parse(row.data_text) as unknown };
  const recomputed = entryHash(entry);
  if (recomputed !== row.hash) {
    const writtenAt = seqItWasWrittenAt(entry);
    if (writtenAt !== null) {
      return {
        ...at,
        kind: "reordered",
        seq: row.seq,
        expected: `seq ${writtenAt}`,
        found: `seq ${row.seq}`,
        message: `entry was written as seq ${writtenAt} but now sits at seq ${row.seq} (entries reordered)`,
      };
    }
    return {
      ...at,
      kind: "hash_mismatch",
      seq: row.seq,
      expected: recomputed,
      found: row.hash,
      message: "entry content altered: its recomputed hash differs from the stored hash",
    };
  }
  return linkFinding(at, row, prev);
}

function matchesAsStored(row: AuditRecord, dataText: string): boolean {
  return entryHashWithData(row, dataText) === row.hash;
}

/** An intact entry that does not point at the one before it. */
function linkFinding(at: { chain: string; entryId: number }, row: AuditRecord, prev: string): Finding | null {
  if (row.prev_hash === prev) return null;
  return {
    ...at,
    kind: "broken_link",
    seq: row.seq,
    expected: prev,
    found: row.prev_hash,
    message: `prev_hash is not the hash of seq ${row.seq - 1}: an entry was rewritten, inserted or removed before this one`,
  };
}

function checkTail(
  chain: string,
  last: { seq: number; hash: string; id: number | null },
  head: ExpectedHead | null,
): Finding | null {
  const { seq: lastSeq, hash: lastHash } = last;
  if (!head) {
    if (lastSeq === 0) return null;
    return {
      chain,
      kind: "missing_head",
      seq: lastSeq,
      entryId: last.id,
      message: `chain has ${lastSeq} entries but no head row (audit_chain_heads deleted?)`,
    };
  }
  if (lastSeq < head.seq) {
    return {
      chain,
      kind: "truncated",
      seq: lastSeq + 1,
      entryId: null,
      expected: `seq ${head.seq}`,
      found: lastSeq ? `seq ${lastSeq}` : "no entries",
      message: `chain ends at seq ${lastSeq} but the ${head.source} records seq ${head.seq}: seqs ${lastSeq + 1}..${head.seq} removed`,
    };
  }
  if (lastHash !== head.hash) {
    return {
      chain,
      kind: "head_mismatch",
      seq: lastSeq,
      entryId: last.id,
      expected: head.hash,
      found: lastHash,
      message: `hash at seq ${lastSeq} differs from the ${head.source}: the chain up to here was rewritten`,
    };
  }
  return null;
}

/** An intact entry moved to another seq still hashes correctly at its original seq. */
function seqItWasWrittenAt(row: AuditRecord): number | null {
  const from = Math.max(1, row.seq - REORDER_WINDOW);
  for (let seq = from; seq <= row.seq + REORDER_WINDOW; seq++) {
    if (seq !== row.seq && entryHash({ ...row, seq }) === row.hash) return seq;
  }
  return null;
}

/** One line for a person: where the chain breaks and why. */
export function describeFinding(f: Finding): string {
  const where = `chain ${f.chain}: seq ${f.seq}${f.entryId !== null ? ` (entry id ${f.entryId})` : ""}`;
  const detail = f.expected !== undefined ? ` [expected ${f.expected}, found ${f.found}]` : "";
  return `${where}: ${f.kind.replace("_", " ")}: ${f.message}${detail}`;
}
