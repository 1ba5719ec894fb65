import { eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { type AdrRow, type AgentRow, votes } from "../../db/schema/index.ts";
import { evaluateDecision, requiredSignOffs, type Vote, type VoteChoice } from "../../domain/approval.ts";
import { isTier } from "../../domain/tier-policy.ts";
import type { Deps } from "../deps.ts";
import { committeeOf } from "./clock.ts";

/**
 * The required approvers of an ADR who have not voted yet (after separation
 * of duties: the submitter is never asked), in the order the rules list them.
 */
export async function awaitingApprovers(tx: Tx, deps: Deps, adr: AdrRow, agent: AgentRow): Promise<string[]> {
  const tier = adr.tier;
  if (!isTier(tier)) return [];
  const committee = committeeOf(deps.config);
  const required = requiredSignOffs({
    tier,
    technicalOwner: agent.technicalOwner,
    businessOwner: agent.businessOwner,
    ciso: deps.config.ciso,
    committee,
  });
  const rows = await tx.select().from(votes).where(eq(votes.adrId, adr.id));
  const cast: Vote[] = rows.map((v) => ({ voter: v.voter, choice: v.choice as VoteChoice, at: v.castAt }));
  const decision = evaluateDecision({
    tier,
    required,
    votes: cast,
    committee,
    submitter: adr.requester,
    businessOwner: agent.businessOwner,
  });
  if (decision.decided) return [];
  return decision.awaiting;
}
