/**
 * The committee rule shared by ADR decisions (tier 3–4) and the SEV1
 * emergency quorum: quorum is strictly more than half of the voting members,
 * including the chair or the co-chair. Votes from non-members never count.
 */
export type CommitteeMember = { user: string; role: string };

export type Committee = { chair: string; coChair: string; members: CommitteeMember[] };

/** A voting seat: the chair's is role "chair", the co-chair's "co_chair". */
export type CommitteeSeat = { user: string; role: string };

/**
 * Chair, co-chair, then members, one seat per person (a person listed twice,
 * or a member who is also the chair, holds the first seat only). Empty ids are
 * not seats.
 */
export function committeeSeats(c: Committee): CommitteeSeat[] {
  const seats: CommitteeSeat[] = [];
  const seen = new Set<string>();
  const candidates = [{ user: c.chair, role: "chair" }, { user: c.coChair, role: "co_chair" }, ...c.members];
  for (const seat of candidates) {
    if (!seat.user || seen.has(seat.user)) continue;
    seen.add(seat.user);
    seats.push({ user: seat.user, role: seat.role });
  }
  return seats;
}

export function votingMembers(c: Committee): string[] {
  return committeeSeats(c).map((s) => s.user);
}

export function isChairOrCoChair(c: Committee, user: string): boolean {
  return user !== "" && (user === c.chair || user === c.coChair);
}

export type QuorumProgress = {
  /** Distinct voting members who have voted. */
  counted: number;
  /** Voting members in the committee. */
  members: number;
  /** Smallest number of voters that is strictly more than half. */
  needed: number;
  chairOrCoChairVoted: boolean;
  reached: boolean;
};

export function quorumProgress(c: Committee, voters: readonly string[]): QuorumProgress {
  const members = new Set(votingMembers(c));
  const counted = new Set(voters.filter((v) => members.has(v)));
  const needed = Math.floor(members.size / 2) + 1;
  const chairOrCoChairVoted = [...counted].some((v) => isChairOrCoChair(c, v));
  return {
    counted: counted.size,
    members: members.size,
    needed,
    chairOrCoChairVoted,
    reached: members.size > 0 && counted.size >= needed && chairOrCoChairVoted,
  };
}

/** Strictly more than half of the voting members voted, the chair or co-chair among them. */
export function quorumReached(c: Committee, voters: readonly string[]): boolean {
  return quorumProgress(c, voters).reached;
}

/**
 * Each voter's latest vote (by `at`; for equal times the one later in the
 * list wins, which is the order a store returns them in). Output keeps the
 * order of first appearance.
 */
export function latestVotes<V extends { voter: string; at: Date }>(votes: readonly V[]): V[] {
  const latest = new Map<string, V>();
  for (const v of votes) {
    const prior = latest.get(v.voter);
    if (!prior || v.at.getTime() >= prior.at.getTime()) latest.set(v.voter, v);
  }
  return [...latest.values()];
}

/**
 * Plurality: the choice with the most votes; a tie between the leaders goes
 * to the one listed first in `restrictiveFirst` (the most restrictive).
 * Returns null when no votes were cast.
 */
export function pluralityOf<C extends string>(
  tally: Readonly<Record<C, number>>,
  restrictiveFirst: readonly C[],
): C | null {
  let best: C | null = null;
  for (const choice of restrictiveFirst) {
    const n = tally[choice];
    if (n > 0 && (best === null || n > tally[best])) best = choice;
  }
  return best;
}
