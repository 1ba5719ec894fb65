import { and, asc, eq, gte, inArray, lte, ne, sql } from "drizzle-orm";
import { agentChain } from "../../domain/audit.ts";
import type { DbOrTx } from "../client.ts";
import {
  type AgentRow,
  agents,
  auditEntries,
  emergencyQuorums,
  type IncidentRow,
  incidents,
  postIncidentReviews,
  quorumVotes,
} from "../schema/index.ts";

export type QuorumRow = typeof emergencyQuorums.$inferSelect;
export type QuorumVoteRow = typeof quorumVotes.$inferSelect;
export type ReviewRow = typeof postIncidentReviews.$inferSelect;

/** `lock` takes the row lock until commit: every change to one incident is serialised. */
export async function findIncident(db: DbOrTx, id: number, lock = false): Promise<IncidentRow | null> {
  const q = db.select().from(incidents).where(eq(incidents.id, id));
  const [row] = lock ? await q.for("update") : await q;
  return row ?? null;
}

export async function findIncidentBySubmission(db: DbOrTx, key: string): Promise<IncidentRow | null> {
  const [row] = await db.select().from(incidents).where(eq(incidents.submissionKey, key));
  return row ?? null;
}

export async function findAgent(db: DbOrTx, id: number, lock = false): Promise<AgentRow | null> {
  const q = db.select().from(agents).where(eq(agents.id, id));
  const [row] = lock ? await q.for("update") : await q;
  return row ?? null;
}

export async function findAgentByName(db: DbOrTx, name: string): Promise<AgentRow | null> {
  const [row] = await db.select().from(agents).where(eq(agents.nameKey, name.trim().toLowerCase()));
  return row ?? null;
}

/** Agents an incident can be declared for (not decommissioned), by name; one more than `limit` tells "there are more". */
export async function declarableAgents(
  db: DbOrTx,
  limit: number,
): Promise<{ id: number; name: string; status: string }[]> {
  return db
    .select({ id: agents.id, name: agents.name, status: agents.status })
    .from(agents)
    .where(ne(agents.status, "decommissioned"))
    .orderBy(asc(agents.nameKey))
    .limit(limit);
}

export async function findQuorum(db: DbOrTx, id: number, lock = false): Promise<QuorumRow | null> {
  const q = db.select().from(emergencyQuorums).where(eq(emergencyQuorums.id, id));
  const [row] = lock ? await q.for("update") : await q;
  return row ?? null;
}

export async function findQuorumOfIncident(db: DbOrTx, incidentId: number): Promise<QuorumRow | null> {
  const [row] = await db.select().from(emergencyQuorums).where(eq(emergencyQuorums.incidentId, incidentId));
  return row ?? null;
}

export async function quorumVotesOf(db: DbOrTx, quorumId: number): Promise<QuorumVoteRow[]> {
  return db
    .select()
    .from(quorumVotes)
    .where(eq(quorumVotes.quorumId, quorumId))
    .orderBy(asc(quorumVotes.castAt), asc(quorumVotes.id));
}

export async function findReview(db: DbOrTx, incidentId: number, lock = false): Promise<ReviewRow | null> {
  const q = db.select().from(postIncidentReviews).where(eq(postIncidentReviews.incidentId, incidentId));
  const [row] = lock ? await q.for("update") : await q;
  return row ?? null;
}

/** The severities an incident has held, oldest first, from its audit entries. */
export async function severityHistory(db: DbOrTx, incident: IncidentRow): Promise<string[]> {
  const rows = await db
    .select({ type: auditEntries.eventType, data: auditEntries.data })
    .from(auditEntries)
    .where(
      and(
        eq(auditEntries.chain, agentChain(incident.agentId)),
        inArray(auditEntries.eventType, ["incident_declared", "incident_severity_changed"]),
        sql`${auditEntries.data}->>'incidentId' = ${String(incident.id)}`,
      ),
    )
    .orderBy(asc(auditEntries.seq));
  return rows.map((r) => {
    const d = r.data as { severity?: string; to?: string };
    return (r.type === "incident_declared" ? d.severity : d.to) ?? "";
  });
}

/** The agent's audit chain between two instants, oldest first: the incident's timeline. */
export async function agentAuditWindow(
  db: DbOrTx,
  agentId: number,
  from: Date,
  to: Date,
  limit = 500,
): Promise<{ at: Date; type: string }[]> {
  const rows = await db
    .select({ at: auditEntries.occurredAt, type: auditEntries.eventType })
    .from(auditEntries)
    .where(
      and(
        eq(auditEntries.chain, agentChain(agentId)),
        gte(auditEntries.occurredAt, from),
        lte(auditEntries.occurredAt, to),
      ),
    )
    .orderBy(asc(auditEntries.seq))
    .limit(limit);
  return rows;
}
