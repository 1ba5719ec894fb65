import { createHash, createHmac, hash as oneShotHash } from "node:crypto";
import { canonicalValue } from "./audit-canonical.ts";
import { canonicalJson } from "./canonical-json.ts";

/** The framework's non-negotiable runtime events. */
export const MANDATORY_EVENTS = [
  "agent_session_started",
  "agent_session_ended",
  "tool_called",
  "tool_call_failed",
  "human_approval_requested",
  "human_approval_granted",
  "human_approval_denied",
  "escalation_triggered",
  "security_control_activated",
  "access_denied",
] as const;

/** Governance actions taken in Slack (and by timers) that are audited too. */
export const GOVERNANCE_EVENTS = [
  "adr_submitted",
  "security_assessment_completed",
  "tier_assigned",
  "tier_raised",
  "review_started",
  "vote_cast",
  "decision_made",
  "adr_withdrawn",
  "adr_superseded",
  "condition_completed",
  "condition_overdue",
  "agent_deployed",
  "sla_reminder_sent",
  "sla_breached",
  "review_scheduled",
  "review_reminder_sent",
  "review_completed",
  "review_overdue",
  "incident_declared",
  "incident_acknowledged",
  "incident_escalated",
  "incident_severity_changed",
  "incident_repaged",
  "incident_checklist_updated",
  "incident_resolved",
  "quorum_opened",
  "quorum_vote_cast",
  "quorum_closed",
  "agent_suspended",
  "agent_restored",
  "agent_decommissioned",
  "post_incident_review_completed",
  "remediation_completed",
  "config_changed",
  "audit_anchored",
  "audit_verification_failed",
  "token_issued",
  "token_revoked",
] as const;

export type AuditEventType = (typeof MANDATORY_EVENTS)[number] | (typeof GOVERNANCE_EVENTS)[number];
export const AUDIT_EVENT_TYPES: ReadonlySet<string> = new Set([...MANDATORY_EVENTS, ...GOVERNANCE_EVENTS]);

export const GENESIS_HASH = "0".repeat(64);
export const GOVERNANCE_CHAIN = "governance";
export const agentChain = (agentId: number): string => `agent-${agentId}`;

/**
 * The fields that are hashed. `id` (assigned by the database) and `hash`
 * itself are not; `prev_hash` is, and is also prefixed (see entryHash).
 */
export interface HashedEntry {
  chain: string;
  seq: number;
  event_type: string;
  /** ISO-8601 UTC with milliseconds, as Date.prototype.toISOString writes it: 2025-01-31T09:00:00.000Z */
  occurred_at: string;
  agent_id: number | null;
  session_id: string | null;
  actor: string | null;
  data: unknown;
  prev_hash: string;
}

/** The exact string that is hashed after prev_hash: the canonical JSON of the nine hashed fields. */
export function canonicalEntry(entry: HashedEntry): string {
  const e = entry;
  if (
    e.chain === undefined ||
    e.seq === undefined ||
    e.event_type === undefined ||
    e.occurred_at === undefined ||
    e.agent_id === undefined ||
    e.session_id === undefined ||
    e.actor === undefined ||
    e.data === undefined ||
    e.prev_hash === undefined
  ) {
    // Not a well-formed entry: the generic writer leaves undefined fields out (or throws).
    return canonicalJson({
      chain: e.chain,
      seq: e.seq,
      event_type: e.event_type,
      occurred_at: e.occurred_at,
      agent_id: e.agent_id,
      session_id: e.session_id,
      actor: e.actor,
      data: e.data,
      prev_hash: e.prev_hash,
    });
  }
  // The same bytes as canonicalJson of the nine fields (keys already in sorted
  // order), written directly: verification hashes a million of these. Picking
  // the fields means a row carrying more (id, hash) hashes the same.
  return canonicalEntryWithData(e, canonicalValue(e.data));
}

/**
 * canonicalEntry with the data field's canonical JSON already at hand: the
 * audit_entries.data column stores exactly that text (type json keeps it
 * verbatim), so the verifier hashes it without parsing it. Only correct for
 * a well-formed entry (all nine fields present) and canonical `dataJson`.
 */
export function canonicalEntryWithData(e: Omit<HashedEntry, "data">, dataJson: string): string {
  return `${entryHead(e, dataJson)}${canonicalValue(e.prev_hash)},"seq":${canonicalValue(e.seq)},${entryTail(e)}`;
}

/**
 * The canonical JSON of an entry (keys in sorted order) is its head, then
 * prev_hash and seq, then its tail: the head runs from `{` to `"prev_hash":`.
 */
function entryHead(e: Omit<HashedEntry, "data" | "seq" | "prev_hash">, dataJson: string): string {
  const j = canonicalValue;
  return (
    `{"actor":${j(e.actor)},"agent_id":${j(e.agent_id)},"chain":${j(e.chain)},"data":${dataJson},` +
    `"event_type":${j(e.event_type)},"occurred_at":${j(e.occurred_at)},"prev_hash":`
  );
}

/** What follows seq: session_id, the last key, and the closing brace. */
function entryTail(e: Pick<HashedEntry, "session_id">): string {
  return `"session_id":${canonicalValue(e.session_id)}}`;
}

/** Everything of an entry except its place in the chain. */
export type EntryDraft = Omit<HashedEntry, "seq" | "prev_hash">;

/**
 * The canonical JSON of an entry split around its place in the chain, so the
 * database can hash it at the moment it locks the chain head:
 * canonicalEntry({...draft, prev_hash: P, seq: S}) === before + P + '","seq":' + S + after.
 * (prev_hash is 64 hex digits and seq an integer: neither needs escaping.)
 * Written from the same head and tail as canonicalEntryWithData rather than
 * cut out of a whole entry: that took 2.6 times as long, and the cut halves
 * kept the whole strings alive (measured in a loop: each young-generation GC
 * then promoted about 1.3 MB and took 2 ms instead of 0.45).
 */
export function splitCanonicalEntry(draft: EntryDraft): { before: string; after: string; data: string } {
  // The data's canonical JSON, written once: it is also what audit_entries.data stores.
  const data = canonicalValue(draft.data);
  return { before: `${entryHead(draft, data)}"`, after: `,${entryTail(draft)}`, data };
}

/**
 * hash = lowercase_hex(sha256(UTF8(prev_hash) || UTF8(canonical_json(entry)))),
 * where prev_hash is the previous entry's hash in the same chain (64 hex
 * digits), or GENESIS_HASH (64 zeros) for seq 1.
 */
export function entryHash(entry: HashedEntry): string {
  return sha256Hex(entry.prev_hash + canonicalEntry(entry));
}

/** entryHash with the data field's canonical JSON already at hand (see canonicalEntryWithData). */
export function entryHashWithData(e: Omit<HashedEntry, "data">, dataJson: string): string {
  return sha256Hex(e.prev_hash + canonicalEntryWithData(e, dataJson));
}

/** Lowercase hex sha256 of a string's UTF-8 bytes (one-shot crypto.hash where Node has it: 3x faster). */
export function sha256Hex(text: string): string {
  if (typeof oneShotHash === "function") return oneShotHash("sha256", text, "hex");
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * Keyed pseudonym of a Slack user id: the first 32 hex digits of
 * HMAC-SHA256(AUDIT_HMAC_KEY, user id). Stable for one key, unlinkable without it.
 */
export function pseudonymise(key: string, userId: string): string {
  return createHmac("sha256", key).update(userId, "utf8").digest("hex").slice(0, 32);
}

export { sanitiseEventData } from "./audit-sanitise.ts";

/** The heads of all chains at one moment: {chain: {seq, hash}}. */
export type ChainHeads = Record<string, { seq: number; hash: string }>;

/** The anchor of a set of chain heads: lowercase_hex(sha256(UTF8(canonical_json(heads)))). */
export function anchorHash(heads: ChainHeads): string {
  return sha256Hex(canonicalJson(heads));
}
