import type { GovernorConfig } from "../../config/governor.ts";
import type { Tx } from "../../db/client.ts";
import { lockAdrWithAgent, votesOf } from "../../db/queries/approval.ts";
import type { AdrRow, AgentRow, VoteRow } from "../../db/schema/index.ts";
import {
  type Decision,
  evaluateDecision,
  type RequiredSignOffs,
  requiredSignOffs,
  type Tier,
  type Vote,
  type VoteChoice,
} from "../../domain/approval.ts";
import { GovernorError } from "../../domain/errors.ts";
import type { Committee } from "../../domain/quorum.ts";
import { isTier } from "../../domain/tier-policy.ts";

/** A stored vote as the decision rule sees it. */
export type CountedVote = Vote & { row: VoteRow };

/** One request under review, with who must sign and where the votes stand. */
export type Review = {
  adr: AdrRow;
  agent: AgentRow;
  tier: Tier;
  committee: Committee;
  required: RequiredSignOffs;
  votes: VoteRow[];
  decision: Decision<CountedVote>;
};

export function committeeOf(config: GovernorConfig): Committee {
  return {
    chair: config.committee.chair,
    coChair: config.committee.co_chair,
    members: config.committee.members.map((m) => ({ user: m.user, role: m.role })),
  };
}

export function tierOf(value: number): Tier {
  if (!isTier(value)) throw new Error(`stored tier ${value} is not 1–4`);
  return value;
}

const CHOICES: ReadonlySet<string> = new Set(["approve", "conditional", "reject"]);

export function signOffsFor(config: GovernorConfig, tier: Tier, agent: AgentRow): RequiredSignOffs {
  return requiredSignOffs({
    tier,
    technicalOwner: agent.technicalOwner,
    businessOwner: agent.businessOwner,
    ciso: config.ciso,
    committee: committeeOf(config),
  });
}

/**
 * Where the sign-off stands. A vote counts only for the content it was given
 * for (its hash), and only while its voter still holds a required role: votes
 * of people a tier raise removed stay stored but are not counted.
 */
export function assessReview(config: GovernorConfig, adr: AdrRow, agent: AgentRow, votes: VoteRow[]): Review {
  const tier = tierOf(adr.tier);
  const committee = committeeOf(config);
  const required = signOffsFor(config, tier, agent);
  const bound: CountedVote[] = votes
    .filter((row) => row.contentHash === adr.contentHash && CHOICES.has(row.choice))
    .map((row) => ({ voter: row.voter, choice: row.choice as VoteChoice, at: row.castAt, row }));
  const decision = evaluateDecision({
    tier,
    required,
    votes: bound,
    committee,
    submitter: adr.requester,
    businessOwner: agent.businessOwner,
  });
  return { adr, agent, tier, committee, required, votes, decision };
}

/** Locks the ADR row (serialising everything done to this request) and reads its review. */
export async function lockReview(tx: Tx, config: GovernorConfig, adrId: number): Promise<Review> {
  const found = await lockAdrWithAgent(tx, adrId);
  if (!found) throw new GovernorError("not_found", `There is no request ADR-${adrId}.`);
  return assessReview(config, found.adr, found.agent, await votesOf(tx, adrId));
}

export const requestRef = (adrId: number): string => `adr-${adrId}`;
