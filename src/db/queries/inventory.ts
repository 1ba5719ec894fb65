import { asc, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "../client.ts";
import { type AdrRow, type AgentRow, adrs, agents } from "../schema/index.ts";

/** The inventory: agents (governance records) and their ADR versions. */

export async function listAgents(db: DbOrTx): Promise<AgentRow[]> {
  return db.select().from(agents).orderBy(asc(agents.nameKey));
}

export async function findAgentByNameKey(db: DbOrTx, nameKey: string): Promise<AgentRow | undefined> {
  const [row] = await db.select().from(agents).where(eq(agents.nameKey, nameKey));
  return row;
}

/** Locks the agent's row until commit: submissions of one agent are serialised. */
export async function lockAgentByNameKey(tx: Tx, nameKey: string): Promise<AgentRow | undefined> {
  const [row] = await tx.select().from(agents).where(eq(agents.nameKey, nameKey)).for("update");
  return row;
}

export type AdrVersion = Pick<
  AdrRow,
  | "id"
  | "version"
  | "status"
  | "computedTier"
  | "tier"
  | "score"
  | "tierReasons"
  | "requester"
  | "submittedAt"
  | "contentHash"
  | "content"
  | "securityAssessment"
  | "assessedAt"
  | "decidedAt"
  | "outcome"
>;

/** Every ADR of an agent, newest first. */
export async function adrVersions(db: DbOrTx, agentId: number): Promise<AdrVersion[]> {
  return db
    .select({
      id: adrs.id,
      version: adrs.version,
      status: adrs.status,
      computedTier: adrs.computedTier,
      tier: adrs.tier,
      score: adrs.score,
      tierReasons: adrs.tierReasons,
      requester: adrs.requester,
      submittedAt: adrs.submittedAt,
      contentHash: adrs.contentHash,
      content: adrs.content,
      securityAssessment: adrs.securityAssessment,
      assessedAt: adrs.assessedAt,
      decidedAt: adrs.decidedAt,
      outcome: adrs.outcome,
    })
    .from(adrs)
    .where(eq(adrs.agentId, agentId))
    .orderBy(desc(adrs.version));
}

export async function findAdrBySubmissionKey(db: DbOrTx, key: string): Promise<AdrRow | undefined> {
  const [row] = await db.select().from(adrs).where(eq(adrs.submissionKey, key));
  return row;
}

export async function findAdr(db: DbOrTx, id: number): Promise<AdrRow | undefined> {
  const [row] = await db.select().from(adrs).where(eq(adrs.id, id));
  return row;
}

export async function findAgent(db: DbOrTx, id: number): Promise<AgentRow | undefined> {
  const [row] = await db.select().from(agents).where(eq(agents.id, id));
  return row;
}

/** Everyone who has submitted an ADR for the agent. */
export async function agentRequesters(db: DbOrTx, agentId: number): Promise<string[]> {
  const rows = await db
    .selectDistinct({ requester: adrs.requester })
    .from(adrs)
    .where(eq(adrs.agentId, agentId));
  return rows.map((r) => r.requester);
}

export async function nextAdrVersion(db: DbOrTx, agentId: number): Promise<number> {
  const [row] = await db
    .select({ max: sql<number | null>`max(${adrs.version})` })
    .from(adrs)
    .where(eq(adrs.agentId, agentId));
  return Number(row?.max ?? 0) + 1;
}
