import { agentChain, type MANDATORY_EVENTS } from "../../domain/audit.ts";
import type { AuditEvent } from "../audit/append.ts";
import type { Deps } from "../deps.ts";

/** One mandatory event as an agent runtime reports it (already validated by the transport). */
export interface RuntimeEvent {
  event_type: (typeof MANDATORY_EVENTS)[number];
  session_id: string;
  user_id?: string | undefined;
  /** The runtime's own clock, kept as data.reported_at; occurred_at is the server's. */
  timestamp?: string | undefined;
  data?: Record<string, unknown> | undefined;
  sensitive?: boolean | undefined;
}

export interface IngestResult {
  accepted: number;
  chain: string;
  first_seq: number;
  last_seq: number;
}

/**
 * Appends a runtime's batch to the agent's own chain in ONE transaction: all
 * or nothing, consecutive seqs, the chain locked once. The agent comes from
 * the authenticated token, never from the body. Events of a suspended or
 * decommissioned agent are accepted too: the trail must be complete, and what
 * an agent did after its suspension is exactly what an auditor needs.
 *
 * Privacy: end-user ids are pseudonymised with the audit HMAC key (as Slack
 * users are); the writer's sanitiser always redacts credentials and, for
 * sensitive events, replaces content by its sha256.
 */
export async function ingestRuntimeEvents(
  deps: Pick<Deps, "db" | "audit" | "now">,
  actor: { agentId: number },
  events: RuntimeEvent[],
): Promise<IngestResult> {
  const at = deps.now();
  const drafts: AuditEvent[] = events.map((e) => ({
    type: e.event_type,
    agentId: actor.agentId,
    sessionId: e.session_id,
    actor: e.user_id !== undefined ? { slackUser: e.user_id } : { agentRuntime: actor.agentId },
    data: { ...e.data, ...(e.timestamp !== undefined ? { reported_at: e.timestamp } : {}) },
    sensitive: e.sensitive ?? false,
    at,
  }));
  const appended = await deps.db.transaction((tx) => deps.audit.appendBatch(tx, drafts));
  return {
    accepted: appended.length,
    chain: agentChain(actor.agentId),
    first_seq: appended[0]!.seq,
    last_seq: appended.at(-1)!.seq,
  };
}
