import { type Committee, latestVotes, pluralityOf, quorumProgress, votingMembers } from "./quorum.ts";

/**
 * The SEV1 emergency quorum: the committee votes keep suspended / restore
 * service / escalate to board. It closes as soon as quorum (quorum.ts) is
 * reached, with the plurality choice (a tie goes to the most restrictive:
 * escalate_to_board > keep_suspended > restore_service); at or after the
 * deadline without quorum it closes as keep_suspended (the board is told).
 * Only each member's latest vote cast before the deadline counts, so a late
 * job run cannot be swayed by votes that came after the poll should have closed.
 */
export type QuorumChoice = "keep_suspended" | "restore_service" | "escalate_to_board";
export type QuorumVote = { voter: string; choice: QuorumChoice; at: Date };
export type QuorumTally = Record<QuorumChoice, number>;

export const QUORUM_CHOICES_RESTRICTIVE_FIRST: readonly QuorumChoice[] = [
  "escalate_to_board",
  "keep_suspended",
  "restore_service",
];

export type EmergencyQuorumResult =
  | { closed: false; tally: QuorumTally; awaiting: string[] }
  | { closed: true; outcome: QuorumChoice; reason: "quorum" | "deadline"; tally: QuorumTally };

export function evaluateEmergencyQuorum(input: {
  committee: Committee;
  votes: readonly QuorumVote[];
  now: Date;
  deadline: Date;
}): EmergencyQuorumResult {
  const members = votingMembers(input.committee);
  const deadline = input.deadline.getTime();
  const inTime = input.votes.filter((v) => v.at.getTime() < deadline && members.includes(v.voter));
  const counted = latestVotes(inTime);
  const tally: QuorumTally = { keep_suspended: 0, restore_service: 0, escalate_to_board: 0 };
  for (const v of counted) tally[v.choice] += 1;
  const voters = counted.map((v) => v.voter);
  if (quorumProgress(input.committee, voters).reached) {
    const outcome = pluralityOf(tally, QUORUM_CHOICES_RESTRICTIVE_FIRST) ?? "keep_suspended";
    return { closed: true, outcome, reason: "quorum", tally };
  }
  if (input.now.getTime() >= deadline)
    return { closed: true, outcome: "keep_suspended", reason: "deadline", tally };
  return { closed: false, tally, awaiting: members.filter((m) => !voters.includes(m)) };
}
