import {
  type Committee,
  committeeSeats,
  isChairOrCoChair,
  latestVotes,
  pluralityOf,
  quorumProgress,
} from "./quorum.ts";
import type { Tier } from "./tier-policy.ts";
import { assertNever, type Refusal, refuse } from "./transition.ts";

export {
  type AdrCondition,
  type AdrEffect,
  type AdrEvent,
  type AdrState,
  type AdrStatus,
  adrTransition,
  type NewCondition,
  newAdrState,
} from "./adr-lifecycle.ts";
export {
  type AgentEffect,
  type AgentEvent,
  type AgentState,
  type AgentStatus,
  agentTransition,
  newAgentState,
} from "./agent-lifecycle.ts";
export { latestVotes } from "./quorum.ts";
export { DEFAULT_SLA, REVIEW_DAYS, type ReviewKind, reviewDueAt, type Tier } from "./tier-policy.ts";

/**
 * ADR sign-off: who must sign, who may, and when the votes decide.
 *
 * Rule choices (spec "Approval routing" leaves these open):
 * - Tier 3–4 "majority of votes cast" is a plurality of the counted votes;
 *   a tie between the leading choices goes to the more restrictive one
 *   (reject > conditional > approve). 2 approve / 2 conditional / 1 reject ⇒
 *   conditional; 2 approve / 2 reject / 1 conditional ⇒ rejected.
 * - A reject by the chair or co-chair is a veto that decides at once, even
 *   before quorum: no later votes could overturn it, so waiting would only
 *   delay the answer.
 * - Tier 2 decides as soon as either signer rejects; otherwise it waits for both.
 * - If one person is both technical owner and CISO (tier 2), their one vote
 *   counts for both roles: the spec's separation of duties is only
 *   submitter ≠ signer and technical owner ≠ business owner.
 * - A committee member who submitted the request is recused (their votes do
 *   not count) but still counts in the committee size, so quorum stays
 *   "more than half of the committee" as the spec says.
 */

export type VoteChoice = "approve" | "conditional" | "reject";
export type Vote = { voter: string; choice: VoteChoice; at: Date };
export type DecisionOutcome = "approved" | "conditional" | "rejected";
export type SignOffRule = "technical_owner" | "technical_owner_and_ciso" | "committee";
export type Approver = { user: string; role: string };
export type RequiredSignOffs = {
  rule: SignOffRule;
  approvers: Approver[];
  /** Why nobody can sign off yet (e.g. technical owner = business owner); empty when signing can proceed. */
  blockers: string[];
};
export type Tally = Record<VoteChoice, number>;

export const SIGN_OFF_ROLE = { technicalOwner: "technical_owner", ciso: "ciso" } as const;
const OUTCOME: Record<VoteChoice, DecisionOutcome> = {
  approve: "approved",
  conditional: "conditional",
  reject: "rejected",
};
/** Most restrictive first: the tie-break order. */
export const RESTRICTIVENESS: readonly VoteChoice[] = ["reject", "conditional", "approve"];

export function signOffRule(tier: Tier): SignOffRule {
  switch (tier) {
    case 1:
      return "technical_owner";
    case 2:
      return "technical_owner_and_ciso";
    case 3:
    case 4:
      return "committee";
    default:
      return assertNever(tier, "tier");
  }
}

export function requiredSignOffs(input: {
  tier: Tier;
  technicalOwner: string;
  businessOwner: string;
  ciso: string;
  committee: Committee;
}): RequiredSignOffs {
  const rule = signOffRule(input.tier);
  const blockers: string[] = [];
  if (rule === "committee") {
    const approvers = committeeSeats(input.committee);
    if (approvers.length === 0) blockers.push("the committee has no voting members");
    return { rule, approvers, blockers };
  }
  const approvers: Approver[] = [{ user: input.technicalOwner, role: SIGN_OFF_ROLE.technicalOwner }];
  if (rule === "technical_owner_and_ciso") approvers.push({ user: input.ciso, role: SIGN_OFF_ROLE.ciso });
  if (input.technicalOwner === input.businessOwner) {
    blockers.push(
      `${input.technicalOwner} is both business owner and technical owner; for tier 1–2 the technical owner ` +
        "must be a different person, so nobody can sign off as technical owner until another one is named",
    );
  }
  return { rule, approvers, blockers };
}

type Context = { submitter?: string; businessOwner?: string; required: RequiredSignOffs };

/** The roles `voter` may sign with here, after separation of duties. */
function signingRoles(voter: string, ctx: Context): { roles: string[]; droppedTechnicalOwner: boolean } {
  if (voter === "" || voter === ctx.submitter) return { roles: [], droppedTechnicalOwner: false };
  let roles = ctx.required.approvers.filter((a) => a.user === voter).map((a) => a.role);
  const ownersMustDiffer = ctx.required.rule !== "committee" && voter === ctx.businessOwner;
  const droppedTechnicalOwner = ownersMustDiffer && roles.includes(SIGN_OFF_ROLE.technicalOwner);
  if (droppedTechnicalOwner) roles = roles.filter((r) => r !== SIGN_OFF_ROLE.technicalOwner);
  return { roles, droppedTechnicalOwner };
}

export type Eligibility = { ok: true; role: string; roles: string[] } | Refusal;

export function eligibility(input: {
  voter: string;
  submitter: string;
  businessOwner: string;
  required: RequiredSignOffs;
}): Eligibility {
  const { voter, required } = input;
  if (voter === input.submitter) {
    return refuse(
      "forbidden",
      `${voter} submitted this request, and nobody signs off a request they submitted`,
    );
  }
  const { roles, droppedTechnicalOwner } = signingRoles(voter, input);
  const [role] = roles;
  if (role !== undefined) return { ok: true, role, roles };
  if (droppedTechnicalOwner) {
    return refuse(
      "forbidden",
      `${voter} is both business owner and technical owner; for tier 1–2 the technical owner must be a ` +
        "different person, so this request cannot be signed off by them: name another technical owner",
    );
  }
  const who = required.approvers.map((a) => `${a.user} (${a.role})`).join(", ");
  return refuse("forbidden", `only ${who || "the named approvers"} may sign off this request`);
}

export type Decision<V extends Vote = Vote> =
  | { decided: false; tally: Tally; awaiting: string[]; counted: V[] }
  | { decided: true; outcome: DecisionOutcome; tally: Tally; why: string; counted: V[] };

/**
 * Where the sign-off stands. Only the latest vote of each eligible voter counts
 * (`counted`, which also carries the conditions of conditional votes). Pass
 * submitter and businessOwner so separation of duties holds here too, not only
 * when a vote is cast. `awaiting` lists eligible signers who have not voted.
 * @throws Error if `required` was computed for another tier (a programming error).
 */
export function evaluateDecision<V extends Vote>(input: {
  tier: Tier;
  required: RequiredSignOffs;
  votes: readonly V[];
  committee: Committee;
  submitter?: string;
  businessOwner?: string;
}): Decision<V> {
  const { tier, required, committee } = input;
  if (required.rule !== signOffRule(tier)) {
    throw new Error(
      `sign-offs computed for rule ${required.rule}, but tier ${tier} needs ${signOffRule(tier)}`,
    );
  }
  const rolesOf = (user: string) => signingRoles(user, input).roles;
  const counted = latestVotes(input.votes).filter((v) => rolesOf(v.voter).length > 0);
  const tally: Tally = { approve: 0, conditional: 0, reject: 0 };
  for (const v of counted) tally[v.choice] += 1;
  const voted = new Set(counted.map((v) => v.voter));
  const awaiting = [...new Set(required.approvers.map((a) => a.user))].filter(
    (u) => !voted.has(u) && rolesOf(u).length > 0,
  );
  const undecided = (): Decision<V> => ({ decided: false, tally, awaiting, counted });
  const decided = (choice: VoteChoice, why: string): Decision<V> => ({
    decided: true,
    outcome: OUTCOME[choice],
    tally,
    why,
    counted,
  });
  const voteOf = (role: string) => counted.find((v) => rolesOf(v.voter).includes(role));

  switch (required.rule) {
    case "technical_owner": {
      const vote = voteOf(SIGN_OFF_ROLE.technicalOwner);
      if (!vote) return undecided();
      return decided(vote.choice, `the technical owner ${vote.voter} chose ${vote.choice}`);
    }
    case "technical_owner_and_ciso": {
      const signers = [
        { label: "technical owner", vote: voteOf(SIGN_OFF_ROLE.technicalOwner) },
        { label: "CISO", vote: voteOf(SIGN_OFF_ROLE.ciso) },
      ];
      const rejecter = signers.find((s) => s.vote?.choice === "reject");
      if (rejecter?.vote) return decided("reject", `the ${rejecter.label} ${rejecter.vote.voter} rejected`);
      if (signers.some((s) => !s.vote)) return undecided();
      if (signers.some((s) => s.vote?.choice === "conditional")) {
        return decided("conditional", "both signed; at least one approved only with conditions");
      }
      return decided("approve", "the technical owner and the CISO both approved");
    }
    case "committee": {
      const veto = counted.find((v) => v.choice === "reject" && isChairOrCoChair(committee, v.voter));
      if (veto) {
        const seat = veto.voter === committee.chair ? "chair" : "co-chair";
        return decided("reject", `vetoed by the ${seat} ${veto.voter}`);
      }
      const progress = quorumProgress(committee, [...voted]);
      if (!progress.reached) return undecided();
      const choice = pluralityOf(tally, RESTRICTIVENESS) ?? "reject";
      const leaders = RESTRICTIVENESS.filter((c) => tally[c] === tally[choice]);
      const tie =
        leaders.length > 1 ? `; tie between ${leaders.join(" and ")} goes to the more restrictive` : "";
      return decided(
        choice,
        `quorum: ${progress.counted} of ${progress.members} voting members; ` +
          `${tally.approve} approve, ${tally.conditional} conditional, ${tally.reject} reject${tie}`,
      );
    }
    default:
      return assertNever(required.rule, "sign-off rule");
  }
}
