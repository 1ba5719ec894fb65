import { and, asc, count, desc, eq, inArray, or } from "drizzle-orm";
import type { DbOrTx, Tx } from "../client.ts";
import {
  type AdrRow,
  type AgentRow,
  adrs,
  agents,
  type RemediationItemRow,
  remediationItems,
  slackMessages,
  type VoteRow,
  votes,
} from "../schema/index.ts";

/** Locks the ADR row until commit: votes, tier changes and withdrawals of one request serialise here. */
export async function lockAdr(tx: Tx, adrId: number): Promise<AdrRow | undefined> {
  const [row] = await tx.select().from(adrs).where(eq(adrs.id, adrId)).for("update");
  return row;
}

/** The ADR row locked (as lockAdr) with its agent, in one round trip. */
export async function lockAdrWithAgent(
  tx: Tx,
  adrId: number,
): Promise<{ adr: AdrRow; agent: AgentRow } | undefined> {
  const [row] = await tx
    .select({ adr: adrs, agent: agents })
    .from(adrs)
    .innerJoin(agents, eq(agents.id, adrs.agentId))
    .where(eq(adrs.id, adrId))
    .for("update", { of: adrs });
  return row;
}

export async function findAdr(db: DbOrTx, adrId: number): Promise<AdrRow | undefined> {
  const [row] = await db.select().from(adrs).where(eq(adrs.id, adrId));
  return row;
}

export async function findAgent(db: DbOrTx, agentId: number): Promise<AgentRow | undefined> {
  const [row] = await db.select().from(agents).where(eq(agents.id, agentId));
  return row;
}

export async function votesOf(db: DbOrTx, adrId: number): Promise<VoteRow[]> {
  return db.select().from(votes).where(eq(votes.adrId, adrId)).orderBy(asc(votes.castAt), asc(votes.id));
}

export type NewVote = {
  adrId: number;
  voter: string;
  role: string;
  choice: string;
  reason: string | null;
  conditions: unknown;
  contentHash: string;
  at: Date;
};

/** One row per (ADR, voter): a changed mind replaces the vote; the audit trail keeps the history. */
export async function upsertVote(tx: Tx, v: NewVote): Promise<VoteRow> {
  const set = {
    role: v.role,
    choice: v.choice,
    reason: v.reason,
    conditions: v.conditions,
    contentHash: v.contentHash,
    castAt: v.at,
    updatedAt: v.at,
  };
  const [row] = await tx
    .insert(votes)
    .values({ adrId: v.adrId, voter: v.voter, ...set })
    .onConflictDoUpdate({ target: [votes.adrId, votes.voter], set })
    .returning();
  return row!;
}

/**
 * Moves an ADR out of `from` only if it is still there: zero rows means
 * someone else moved it first (a concurrent decision, a withdrawal).
 */
export async function moveAdr(
  tx: Tx,
  adrId: number,
  from: readonly string[],
  set: Partial<typeof adrs.$inferInsert>,
): Promise<AdrRow | undefined> {
  const [row] = await tx
    .update(adrs)
    .set(set)
    .where(and(eq(adrs.id, adrId), inArray(adrs.status, [...from])))
    .returning();
  return row;
}

export async function updateAgent(
  tx: Tx,
  agentId: number,
  set: Partial<typeof agents.$inferInsert>,
): Promise<AgentRow | undefined> {
  const [row] = await tx.update(agents).set(set).where(eq(agents.id, agentId)).returning();
  return row;
}

export async function insertConditionItems(
  tx: Tx,
  items: { adrId: number; agentId: number; description: string; owner: string; deadline: Date }[],
): Promise<RemediationItemRow[]> {
  if (!items.length) return [];
  return tx
    .insert(remediationItems)
    .values(items.map((i) => ({ ...i, source: "adr_condition" })))
    .returning();
}

export async function findItem(db: DbOrTx, itemId: number): Promise<RemediationItemRow | undefined> {
  const [row] = await db.select().from(remediationItems).where(eq(remediationItems.id, itemId));
  return row;
}

/** Marks an open item done; undefined when it was not open (done already, or cancelled). */
export async function markItemDone(
  tx: Tx,
  itemId: number,
  by: string,
  evidence: string,
  at: Date,
): Promise<RemediationItemRow | undefined> {
  const [row] = await tx
    .update(remediationItems)
    .set({ status: "done", doneBy: by, doneAt: at, evidence })
    .where(and(eq(remediationItems.id, itemId), eq(remediationItems.status, "open")))
    .returning();
  return row;
}

export async function openConditionCount(db: DbOrTx, adrId: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(remediationItems)
    .where(
      and(
        eq(remediationItems.adrId, adrId),
        eq(remediationItems.source, "adr_condition"),
        eq(remediationItems.status, "open"),
      ),
    );
  return Number(row?.n ?? 0);
}

export async function conditionsOf(db: DbOrTx, adrId: number): Promise<RemediationItemRow[]> {
  return db
    .select()
    .from(remediationItems)
    .where(and(eq(remediationItems.adrId, adrId), eq(remediationItems.source, "adr_condition")))
    .orderBy(asc(remediationItems.id));
}

export async function postedMessage(db: DbOrTx, ref: string) {
  const [row] = await db.select().from(slackMessages).where(eq(slackMessages.ref, ref));
  return row;
}

// ── App Home ──────────────────────────────────────────────────────────────

export const HOME_SCAN_LIMIT = 200;

export async function reviewsInProgress(db: DbOrTx): Promise<{ adr: AdrRow; agent: AgentRow }[]> {
  return db
    .select({ adr: adrs, agent: agents })
    .from(adrs)
    .innerJoin(agents, eq(agents.id, adrs.agentId))
    .where(eq(adrs.status, "in_review"))
    .orderBy(asc(adrs.slaDueAt), asc(adrs.id))
    .limit(HOME_SCAN_LIMIT);
}

export async function agentsOwnedBy(db: DbOrTx, user: string, limit: number): Promise<AgentRow[]> {
  return db
    .select()
    .from(agents)
    .where(or(eq(agents.businessOwner, user), eq(agents.technicalOwner, user)))
    .orderBy(desc(agents.updatedAt), desc(agents.id))
    .limit(limit);
}

export async function openItemsOwnedBy(
  db: DbOrTx,
  user: string,
  limit: number,
): Promise<{ item: RemediationItemRow; agentName: string | null }[]> {
  return db
    .select({ item: remediationItems, agentName: agents.name })
    .from(remediationItems)
    .leftJoin(agents, eq(agents.id, remediationItems.agentId))
    .where(and(eq(remediationItems.owner, user), eq(remediationItems.status, "open")))
    .orderBy(asc(remediationItems.deadline), asc(remediationItems.id))
    .limit(limit);
}

export async function postedMessages(db: DbOrTx, refs: string[]) {
  if (!refs.length) return [];
  return db.select().from(slackMessages).where(inArray(slackMessages.ref, refs));
}

export async function adrIdsVotedBy(db: DbOrTx, user: string, adrIds: number[]): Promise<Set<number>> {
  if (!adrIds.length) return new Set();
  const rows = await db
    .select({ adrId: votes.adrId })
    .from(votes)
    .where(and(eq(votes.voter, user), inArray(votes.adrId, adrIds)));
  return new Set(rows.map((r) => r.adrId));
}
