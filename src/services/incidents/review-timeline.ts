import type { DbOrTx } from "../../db/client.ts";
import { agentAuditWindow } from "../../db/queries/incidents.ts";
import type { IncidentRow } from "../../db/schema/index.ts";
import type { TimelineEvent } from "../../domain/post-incident-review.ts";

/**
 * The incident's timeline for its review, reconstructed from the audit
 * trail: every entry of the agent's chain from the declaration to the
 * resolution (to `now` if not resolved yet), oldest first.
 */
export async function reconstructTimeline(
  db: DbOrTx,
  incident: IncidentRow,
  now: Date,
): Promise<TimelineEvent[]> {
  const rows = await agentAuditWindow(db, incident.agentId, incident.declaredAt, incident.resolvedAt ?? now);
  return rows.map((r) => ({ at: r.at.toISOString(), event: r.type }));
}
