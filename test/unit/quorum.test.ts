import { describe, expect, it } from "vitest";
import {
  type Committee,
  committeeSeats,
  latestVotes,
  pluralityOf,
  quorumProgress,
  quorumReached,
  votingMembers,
} from "../../src/domain/quorum.ts";

/** Chair C, co-chair D, members E F G: five voting members, quorum is three including C or D. */
const five: Committee = {
  chair: "C",
  coChair: "D",
  members: [
    { user: "E", role: "engineering" },
    { user: "F", role: "business" },
    { user: "G", role: "ethics" },
  ],
};
const four: Committee = {
  chair: "C",
  coChair: "D",
  members: [
    { user: "E", role: "engineering" },
    { user: "F", role: "business" },
  ],
};

describe("votingMembers", () => {
  it("lists chair, co-chair and members once each", () => {
    const c: Committee = {
      chair: "C",
      coChair: "D",
      members: [
        { user: "E", role: "engineering" },
        { user: "C", role: "security" },
        { user: "E", role: "ethics" },
        { user: "", role: "vacant" },
      ],
    };
    expect(votingMembers(c)).toEqual(["C", "D", "E"]);
  });

  it("gives the chair and co-chair their seats' roles, members their own", () => {
    expect(committeeSeats(four)).toEqual([
      { user: "C", role: "chair" },
      { user: "D", role: "co_chair" },
      { user: "E", role: "engineering" },
      { user: "F", role: "business" },
    ]);
  });
});

describe("quorumReached", () => {
  it.each([
    ["chair, co-chair and a member (3 of 5)", five, ["C", "D", "E"], true],
    ["the co-chair instead of the chair", five, ["D", "F", "G"], true],
    ["everyone", five, ["C", "D", "E", "F", "G"], true],
    ["two of five is not more than half", five, ["C", "E"], false],
    ["a majority without chair or co-chair", five, ["E", "F", "G"], false],
    ["exactly half of four is not quorum", four, ["C", "E"], false],
    ["three of four with the chair", four, ["C", "E", "F"], true],
    ["a non-member does not make up the numbers", five, ["C", "E", "X"], false],
    ["the same voter twice counts once", five, ["C", "C", "E"], false],
    ["nobody", five, [], false],
  ])("%s → %s", (_what, committee, voters, expected) => {
    expect(quorumReached(committee, voters)).toBe(expected);
  });

  it("is never reached by an empty committee", () => {
    expect(quorumReached({ chair: "", coChair: "", members: [] }, ["X"])).toBe(false);
  });

  it("reports progress towards quorum", () => {
    expect(quorumProgress(five, ["E", "F", "X"])).toEqual({
      counted: 2,
      members: 5,
      needed: 3,
      chairOrCoChairVoted: false,
      reached: false,
    });
  });
});

describe("latestVotes", () => {
  const t = (minute: number) => new Date(Date.UTC(2026, 0, 5, 10, minute));

  it("keeps each voter's latest vote, in order of first appearance", () => {
    const votes = [
      { voter: "A", choice: "approve", at: t(1) },
      { voter: "B", choice: "reject", at: t(2) },
      { voter: "A", choice: "reject", at: t(3) },
    ];
    expect(latestVotes(votes).map((v) => `${v.voter}:${v.choice}`)).toEqual(["A:reject", "B:reject"]);
  });

  it("goes by the time of the vote, not its place in the list", () => {
    const votes = [
      { voter: "A", choice: "reject", at: t(5) },
      { voter: "A", choice: "approve", at: t(1) },
    ];
    expect(latestVotes(votes)[0]?.choice).toBe("reject");
  });

  it("lets the later-listed vote win a tie in time", () => {
    const votes = [
      { voter: "A", choice: "approve", at: t(1) },
      { voter: "A", choice: "conditional", at: t(1) },
    ];
    expect(latestVotes(votes)[0]?.choice).toBe("conditional");
  });
});

describe("pluralityOf", () => {
  const order = ["reject", "conditional", "approve"] as const;
  it.each([
    [{ approve: 3, conditional: 1, reject: 1 }, "approve"],
    [{ approve: 2, conditional: 2, reject: 1 }, "conditional"],
    [{ approve: 2, conditional: 1, reject: 2 }, "reject"],
    [{ approve: 1, conditional: 1, reject: 1 }, "reject"],
    [{ approve: 0, conditional: 0, reject: 0 }, null],
  ])("%j → %s", (tally, expected) => {
    expect(pluralityOf(tally, order)).toBe(expected);
  });
});
