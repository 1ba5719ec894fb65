import { createHash, createHmac } from "node:crypto";
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
  "condition_completed",
  "condition_overdue",
  "agent_deployed",
  "sla_reminder_sent",
  "sla_breached",
  "review_scheduled",
  "review_reminder_sent",
  "review_completed",
  "incident_declared",
  "incident_acknowledged",
  "incident_escalated",
  "incident_severity_changed",
  "incident_repaged",
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

/** The fields that are hashed, in the order an auditor reads them (canonical JSON sorts them anyway). */
export interface HashedEntry {
  chain: string;
  seq: number;
  event_type: string;
  occurred_at: string;
  agent_id: number | null;
  session_id: string | null;
  actor: string | null;
  data: unknown;
  prev_hash: string;
}

/** hash = sha256_hex(prev_hash || canonical_json(entry without hash)), both as UTF-8. */
export function entryHash(entry: HashedEntry): string {
  return createHash("sha256")
    .update(entry.prev_hash, "utf8")
    .update(canonicalJson(entry), "utf8")
    .digest("hex");
}

/** Keyed pseudonym of a Slack user id; stable for one key, unlinkable without it. */
export function pseudonymise(key: string, userId: string): string {
  return createHmac("sha256", key).update(userId, "utf8").digest("hex").slice(0, 32);
}

const CREDENTIAL_KEY =
  /^(api[_-]?key|password|passwd|secret|token|access[_-]?token|refresh[_-]?token|credential|credentials|authorization|private[_-]?key|client[_-]?secret)$/i;
const CONTENT_KEY = /^(content|prompt|output|message_text|body)$/i;

/**
 * The one sanitiser for event data (the framework's _sanitize_event_data,
 * applied recursively): credentials become [REDACTED] always; for sensitive
 * events, content-like strings are replaced by their sha256 under `<key>_hash`.
 */
export function sanitiseEventData(data: unknown, sensitive: boolean): unknown {
  if (Array.isArray(data)) return data.map((v) => sanitiseEventData(v, sensitive));
  if (data === null || typeof data !== "object") return data;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (CREDENTIAL_KEY.test(key)) out[key] = "[REDACTED]";
    else if (sensitive && CONTENT_KEY.test(key) && typeof value === "string") {
      out[`${key}_hash`] = createHash("sha256").update(value, "utf8").digest("hex");
    } else out[key] = sanitiseEventData(value, sensitive);
  }
  return out;
}

/** The anchor of a set of chain heads: sha256 of the canonical JSON of {chain: {seq, hash}}. */
export function anchorHash(heads: Record<string, { seq: number; hash: string }>): string {
  return createHash("sha256").update(canonicalJson(heads), "utf8").digest("hex");
}
