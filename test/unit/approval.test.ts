import { describe, expect, it } from "vitest";
import {
  DEFAULT_SLA,
  evaluateDecision,
  eligibility,
  REVIEW_DAYS,
  requiredSignOffs,
  reviewDueAt,
  type Tier,
  type Vote,
  type VoteChoice,
} from "../../src/domain/approval.ts";
import type { Committee } from "../../src/domain/quorum.ts";

// TO technical owner, BO business owner (and submitter), K CISO (committee chair), P co-chair.
const committee: Committee = {
  chair: "K",
  coChair: "P",
  members: [
    { user: "E", role: "engineering" },
    { user: "U", role: "business_unit" },
    { user: "R", role: "ethics" },
  ],
};
const people = { technicalOwner: "TO", businessOwner: "BO", ciso: "K", committee };
const required = (tier: Tier, overrides: Partial<typeof people> = {}) =>
  requiredSignOffs({ tier, ...people, ...overrides });

let clock = 0;
/** Votes in order, one minute apart: "K:reject". */
function votes(...specs: string[]): Vote[] {
  return specs.map((s) => {
    const [voter = "", choice = "approve"] = s.split(":");
    clock += 60_000;
    return { voter, choice: choice as VoteChoice, at: new Date(Date.UTC(2026, 2, 2) + clock) };
  });
}
const decide = (tier: Tier, vs: Vote[], extra: { submitter?: string; businessOwner?: string } = {}) =>
  evaluateDecision({ tier, required: required(tier), votes: vs, committee, submitter: "BO", ...extra });

describe("requiredSignOffs", () => {
  it.each([
    [1, "technical_owner", ["TO:technical_owner"]],
    [2, "technical_owner_and_ciso", ["TO:technical_owner", "K:ciso"]],
    [3, "committee", ["K:chair", "P:co_chair", "E:engineering", "U:business_unit", "R:ethics"]],
    [4, "committee", ["K:chair", "P:co_chair", "E:engineering", "U:business_unit", "R:ethics"]],
  ] as const)("tier %d is signed off by rule %s", (tier, rule, approvers) => {
    const r = required(tier);
    expect(r.rule).toBe(rule);
    expect(r.approvers.map((a) => `${a.user}:${a.role}`)).toEqual(approvers);
    expect(r.blockers).toEqual([]);
  });

  it.each([1, 2] as const)("tier %d is blocked when the technical owner is the business owner", (tier) => {
    expect(required(tier, { technicalOwner: "BO" }).blockers[0]).toMatch(/must be a different person/);
  });

  it("tier 3 does not mind the business owner sitting on the committee", () => {
    expect(required(3, { businessOwner: "E" }).blockers).toEqual([]);
  });

  it("a committee without members blocks tier 3", () => {
    const empty = requiredSignOffs({
      tier: 3,
      ...people,
      committee: { chair: "", coChair: "", members: [] },
    });
    expect(empty.blockers).toEqual(["the committee has no voting members"]);
  });
});

describe("eligibility", () => {
  const check = (voter: string, tier: Tier, submitter = "BO", overrides: Partial<typeof people> = {}) =>
    eligibility({
      voter,
      submitter,
      businessOwner: overrides.businessOwner ?? "BO",
      required: required(tier, overrides),
    });

  it.each([
    ["the technical owner on tier 1", "TO", 1, "technical_owner"],
    ["the technical owner on tier 2", "TO", 2, "technical_owner"],
    ["the CISO on tier 2", "K", 2, "ciso"],
    ["the chair on tier 3", "K", 3, "chair"],
    ["a committee member on tier 4", "R", 4, "ethics"],
  ] as const)("accepts %s", (_what, voter, tier, role) => {
    expect(check(voter, tier)).toMatchObject({ ok: true, role });
  });

  it.each([
    ["the CISO on tier 1", "K", 1, /only TO \(technical_owner\) may sign off/],
    ["a stranger on tier 2", "X", 2, /only TO \(technical_owner\), K \(ciso\)/],
    ["a non-member on tier 3", "TO", 3, /only K \(chair\)/],
  ] as const)("refuses %s", (_what, voter, tier, reason) => {
    expect(check(voter, tier)).toMatchObject({
      ok: false,
      code: "forbidden",
      reason: expect.stringMatching(reason),
    });
  });

  it.each([1, 2, 3] as const)("never lets the submitter sign off (tier %d)", (tier) => {
    const voter = tier === 3 ? "E" : "TO";
    expect(check(voter, tier, voter)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/submitted/),
    });
  });

  it.each([1, 2] as const)("refuses the business owner as technical owner on tier %d", (tier) => {
    const result = check("BO", tier, "S", { technicalOwner: "BO" });
    expect(result).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/cannot be signed off by them/),
    });
  });

  it("lets one person who is both technical owner and CISO sign once for both roles", () => {
    expect(check("K", 2, "BO", { technicalOwner: "K" })).toEqual({
      ok: true,
      role: "technical_owner",
      roles: ["technical_owner", "ciso"],
    });
  });
});

describe("evaluateDecision, tier 1", () => {
  it.each([
    ["approve", "approved"],
    ["conditional", "conditional"],
    ["reject", "rejected"],
  ] as const)("the technical owner's %s decides: %s", (choice, outcome) => {
    expect(decide(1, votes(`TO:${choice}`))).toMatchObject({ decided: true, outcome });
  });

  it("waits for the technical owner", () => {
    expect(decide(1, [])).toMatchObject({ decided: false, awaiting: ["TO"] });
  });

  it("counts only the latest vote of a voter who changed their mind", () => {
    expect(decide(1, votes("TO:reject", "TO:approve"))).toMatchObject({ decided: true, outcome: "approved" });
  });

  it("ignores votes from people who hold no required role", () => {
    expect(decide(1, votes("K:reject", "X:approve"))).toMatchObject({
      decided: false,
      tally: { approve: 0, reject: 0 },
    });
  });

  it("ignores a vote by a technical owner who is also the business owner, and awaits nobody", () => {
    const r = evaluateDecision({
      tier: 1,
      required: required(1, { technicalOwner: "BO" }),
      votes: votes("BO:approve"),
      committee,
      submitter: "S",
      businessOwner: "BO",
    });
    expect(r).toMatchObject({ decided: false, awaiting: [] });
  });

  it("refuses sign-offs computed for another tier", () => {
    expect(() => evaluateDecision({ tier: 1, required: required(3), votes: [], committee })).toThrow(
      /tier 1/,
    );
  });
});

describe("evaluateDecision, tier 2", () => {
  it.each([
    [["TO:approve", "K:approve"], "approved"],
    [["TO:approve", "K:conditional"], "conditional"],
    [["TO:conditional", "K:conditional"], "conditional"],
    [["TO:conditional", "K:reject"], "rejected"],
    [["TO:reject"], "rejected"],
    [["K:reject"], "rejected"],
    [["K:reject", "K:approve", "TO:approve"], "approved"],
  ])("%j → %s", (specs, outcome) => {
    expect(decide(2, votes(...specs))).toMatchObject({ decided: true, outcome });
  });

  it.each([
    [["TO:approve"], ["K"]],
    [["K:conditional"], ["TO"]],
    [[], ["TO", "K"]],
  ])("with %j it waits for %j", (specs, awaiting) => {
    expect(decide(2, votes(...specs))).toMatchObject({ decided: false, awaiting });
  });

  it("names who rejected", () => {
    expect(decide(2, votes("TO:approve", "K:reject"))).toMatchObject({ why: "the CISO K rejected" });
  });
});

describe("evaluateDecision, tiers 3 and 4", () => {
  it.each([
    ["quorum with a majority to approve", ["K:approve", "E:approve", "U:approve"], "approved"],
    [
      "a plurality (not a majority) decides",
      ["K:approve", "E:approve", "U:conditional", "R:reject"],
      "approved",
    ],
    [
      "approve/conditional tie goes to conditional",
      ["K:approve", "E:conditional", "U:approve", "R:conditional"],
      "conditional",
    ],
    [
      "conditional/reject tie goes to reject",
      ["K:conditional", "E:reject", "U:conditional", "R:reject"],
      "rejected",
    ],
    ["approve/reject tie goes to reject", ["P:approve", "E:reject", "U:approve", "R:reject"], "rejected"],
    [
      "a 2–2–1 split goes to conditional",
      ["K:approve", "P:conditional", "E:reject", "U:approve", "R:conditional"],
      "conditional",
    ],
    ["a 1–1–1 split goes to reject", ["K:approve", "P:conditional", "E:reject"], "rejected"],
    [
      "the chair's reject vetoes a majority to approve",
      ["P:approve", "E:approve", "U:approve", "K:reject"],
      "rejected",
    ],
    ["the co-chair's reject vetoes too", ["K:approve", "E:approve", "P:reject"], "rejected"],
    ["a veto decides even before quorum", ["K:reject"], "rejected"],
    [
      "a chair who withdraws a reject does not veto",
      ["K:reject", "E:approve", "U:approve", "K:approve"],
      "approved",
    ],
  ])("%s", (_what, specs, outcome) => {
    for (const tier of [3, 4] as const) {
      expect(decide(tier, votes(...specs))).toMatchObject({ decided: true, outcome });
    }
  });

  it.each([
    ["a majority without the chair or co-chair", ["E:approve", "U:approve", "R:approve"]],
    ["two of five voting members", ["K:approve", "E:approve"]],
    ["votes from non-members", ["K:approve", "X:approve", "Y:approve", "Z:approve"]],
    ["the same member voting twice", ["K:approve", "E:approve", "E:approve"]],
  ])("is undecided with %s", (_what, specs) => {
    expect(decide(3, votes(...specs))).toMatchObject({ decided: false });
  });

  it("explains the veto", () => {
    expect(decide(3, votes("P:approve", "E:approve", "U:approve", "K:reject"))).toMatchObject({
      why: "vetoed by the chair K",
    });
  });

  it("explains a tie", () => {
    const r = decide(3, votes("K:approve", "E:conditional", "U:approve", "R:conditional"));
    expect(r).toMatchObject({ why: expect.stringMatching(/4 of 5 .* tie between conditional and approve/) });
  });

  it("recuses a submitting member: their vote is ignored and they are not awaited", () => {
    const r = decide(3, votes("K:approve", "E:approve"), { submitter: "E" });
    expect(r).toMatchObject({ decided: false, tally: { approve: 1 }, awaiting: ["P", "U", "R"] });
  });

  it("returns the counted votes with their extra fields (e.g. conditions)", () => {
    const withConditions = votes("K:conditional", "E:conditional", "U:approve").map((v) => ({
      ...v,
      conditions: [`from ${v.voter}`],
    }));
    const r = evaluateDecision({ tier: 3, required: required(3), votes: withConditions, committee });
    expect(r.counted.flatMap((v) => v.conditions)).toEqual(["from K", "from E", "from U"]);
  });
});

describe("review intervals and default SLAs", () => {
  it.each([
    [1, 180, 365, { kind: "duration", ms: 24 * 3_600_000 }],
    [2, 90, 180, { kind: "duration", ms: 72 * 3_600_000 }],
    [3, 30, 90, { kind: "business_days", days: 7 }],
    [4, 30, 30, { kind: "business_days", days: 14 }],
  ] as const)("tier %d: post-deployment %d days, periodic %d days, SLA %j", (tier, post, periodic, sla) => {
    expect(REVIEW_DAYS[tier]).toEqual({ postDeployment: post, periodic });
    expect(DEFAULT_SLA[tier]).toEqual(sla);
    const from = new Date("2026-01-01T00:00:00Z");
    expect(reviewDueAt(tier, "post_deployment", from).getTime() - from.getTime()).toBe(post * 86_400_000);
  });
});
