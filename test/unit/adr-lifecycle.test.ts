import { describe, expect, it } from "vitest";
import {
  type AdrEvent,
  type AdrState,
  type AdrStatus,
  adrTransition,
  type NewCondition,
  newAdrState,
} from "../../src/domain/approval.ts";

const now = new Date("2026-03-10T12:00:00Z");
const later = (days: number) => new Date(now.getTime() + days * 86_400_000);
const condition = (id: string, owner = "TO", deadline = later(14)): NewCondition => ({
  id,
  text: `do ${id}`,
  owner,
  deadline,
});

function adr(status: AdrStatus, patch: Partial<AdrState> = {}): AdrState {
  return { ...newAdrState({ tier: 3, requester: "BO", technicalOwner: "TO" }), status, ...patch };
}
const conditional = (done: boolean[] = [false, false], deadline = later(14)) =>
  adr("conditional", {
    conditions: done.map((d, i) => ({
      ...condition(`c${i + 1}`, "TO", deadline),
      doneAt: d ? now : null,
      doneBy: d ? "TO" : null,
    })),
  });

const assess: AdrEvent = { type: "complete_security_assessment", by: "TO" };
const approve: AdrEvent = { type: "decide", outcome: "approved", why: "the committee approved" };
const reject: AdrEvent = { type: "decide", outcome: "rejected", why: "vetoed by the chair K" };
const withConditions: AdrEvent = {
  type: "decide",
  outcome: "conditional",
  why: "plurality conditional",
  conditions: [condition("c1"), condition("c2", "DS")],
};

describe("adrTransition accepts", () => {
  it.each([
    [
      "the technical owner's security assessment",
      adr("awaiting_security_assessment"),
      assess,
      "in_review",
      ["start_sla_clock", "request_sign_offs"],
    ],
    [
      "an approval",
      adr("in_review"),
      approve,
      "approved",
      ["stop_sla_clock", "announce_decision", "set_agent_approval", "authorise_agent"],
    ],
    [
      "a rejection",
      adr("in_review"),
      reject,
      "rejected",
      ["stop_sla_clock", "announce_decision", "set_agent_approval"],
    ],
    [
      "a conditional approval",
      adr("in_review"),
      withConditions,
      "conditional",
      ["stop_sla_clock", "announce_decision", "set_agent_approval", "authorise_agent", "track_conditions"],
    ],
    [
      "a tier-4 decision, telling the board",
      adr("in_review", { tier: 4 }),
      approve,
      "approved",
      ["stop_sla_clock", "announce_decision", "set_agent_approval", "authorise_agent", "notify_board"],
    ],
    [
      "one condition done of two",
      conditional(),
      { type: "complete_condition", conditionId: "c1", by: "TO" },
      "conditional",
      ["stop_condition_reminders"],
    ],
    [
      "the last condition done, approving",
      conditional([true, false]),
      { type: "complete_condition", conditionId: "c2", by: "TO" },
      "approved",
      ["stop_condition_reminders", "announce_decision", "set_agent_approval"],
    ],
    [
      "a committee rejection over an overdue condition",
      conditional([true, false], later(-1)),
      { type: "reject_for_overdue_condition", conditionId: "c2", by: "K", why: "c2 is a month late" },
      "rejected",
      ["stop_condition_reminders", "announce_decision", "set_agent_approval", "revoke_agent_authorisation"],
    ],
    [
      "the requester withdrawing before the assessment",
      adr("awaiting_security_assessment"),
      { type: "withdraw", by: "BO" },
      "withdrawn",
      ["announce_withdrawal"],
    ],
    [
      "the requester withdrawing during review",
      adr("in_review"),
      { type: "withdraw", by: "BO" },
      "withdrawn",
      ["stop_sla_clock", "announce_withdrawal"],
    ],
  ] as const)("%s", (_what, state, event, status, effects) => {
    const result = adrTransition(state, event, now);
    if (!result.ok) throw new Error(result.reason);
    expect(result.state.status).toBe(status);
    expect(result.effects.map((e) => e.type)).toEqual(effects);
  });

  it("records when review started and when the decision was made", () => {
    const started = adrTransition(adr("awaiting_security_assessment"), assess, now);
    expect(started.ok && started.state.reviewStartedAt).toEqual(now);
    const decided = adrTransition(adr("in_review"), withConditions, now);
    if (!decided.ok) throw new Error(decided.reason);
    expect(decided.state).toMatchObject({ decidedAt: now, decisionWhy: "plurality conditional" });
    expect(decided.state.conditions.map((c) => [c.id, c.owner, c.doneAt])).toEqual([
      ["c1", "TO", null],
      ["c2", "DS", null],
    ]);
  });
});

describe("adrTransition refuses", () => {
  const overdue = { type: "reject_for_overdue_condition", conditionId: "c1", by: "K", why: "late" } as const;
  it.each([
    [
      "an assessment by someone else",
      adr("awaiting_security_assessment"),
      { type: "complete_security_assessment", by: "BO" },
      "forbidden",
      /only the technical owner TO/,
    ],
    ["a second assessment", adr("in_review"), assess, "duplicate", /already complete/],
    [
      "an assessment after the decision",
      adr("approved"),
      assess,
      "invalid_transition",
      /the request is approved/,
    ],
    [
      "a decision before the assessment",
      adr("awaiting_security_assessment"),
      approve,
      "invalid_transition",
      /awaiting its security assessment/,
    ],
    ["a second decision", adr("rejected"), approve, "invalid_transition", /the request is rejected/],
    [
      "a decision without a reason",
      adr("in_review"),
      { ...approve, why: " " },
      "invalid_input",
      /needs its reason/,
    ],
    [
      "a conditional approval without conditions",
      adr("in_review"),
      { ...withConditions, conditions: [] },
      "invalid_input",
      /at least one condition/,
    ],
    [
      "conditions on a plain approval",
      adr("in_review"),
      { ...approve, conditions: [condition("c1")] },
      "invalid_input",
      /only a conditional/,
    ],
    [
      "a condition due in the past",
      adr("in_review"),
      { ...withConditions, conditions: [condition("c1", "TO", later(-1))] },
      "invalid_input",
      /deadline in the future/,
    ],
    [
      "duplicate condition ids",
      adr("in_review"),
      { ...withConditions, conditions: [condition("c1"), condition("c1")] },
      "invalid_input",
      /unique/,
    ],
    [
      "a condition without an owner",
      adr("in_review"),
      { ...withConditions, conditions: [condition("c1", "")] },
      "invalid_input",
      /needs an owner/,
    ],
    [
      "completing a condition twice",
      conditional([true, false]),
      { type: "complete_condition", conditionId: "c1", by: "TO" },
      "duplicate",
      /already done by TO/,
    ],
    [
      "completing someone else's condition",
      conditional(),
      { type: "complete_condition", conditionId: "c1", by: "BO" },
      "forbidden",
      /only the condition's owner TO/,
    ],
    [
      "completing an unknown condition",
      conditional(),
      { type: "complete_condition", conditionId: "c9", by: "TO" },
      "invalid_input",
      /no condition c9/,
    ],
    [
      "completing a condition before the decision",
      adr("in_review"),
      { type: "complete_condition", conditionId: "c1", by: "TO" },
      "invalid_transition",
      /in review/,
    ],
    [
      "rejecting over a condition not yet overdue",
      conditional(),
      overdue,
      "invalid_transition",
      /not overdue/,
    ],
    [
      "rejecting over a condition already done",
      conditional([true, false], later(-1)),
      overdue,
      "invalid_transition",
      /is done/,
    ],
    [
      "rejecting an approved request for a condition",
      adr("approved"),
      overdue,
      "invalid_transition",
      /approved/,
    ],
    [
      "a withdrawal by someone else",
      adr("in_review"),
      { type: "withdraw", by: "TO" },
      "forbidden",
      /only the requester BO/,
    ],
    [
      "withdrawing a decided request",
      adr("conditional"),
      { type: "withdraw", by: "BO" },
      "invalid_transition",
      /conditionally approved/,
    ],
    [
      "withdrawing twice",
      adr("withdrawn", { closedAt: now }),
      { type: "withdraw", by: "BO" },
      "duplicate",
      /already withdrawn at 2026-03-10T12:00/,
    ],
  ] as const)("%s", (_what, state, event, code, reason) => {
    expect(adrTransition(state, event as AdrEvent, now)).toMatchObject({
      ok: false,
      code,
      reason: expect.stringMatching(reason),
    });
  });
});
