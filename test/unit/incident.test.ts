import { describe, expect, it } from "vitest";
import {
  declareIncident,
  evaluateEmergencyQuorum,
  type IncidentEvent,
  type IncidentState,
  incidentTransition,
  type QuorumChoice,
  type QuorumVote,
  type Severity,
} from "../../src/domain/incident.ts";
import type { Committee } from "../../src/domain/quorum.ts";

const MIN = 60_000;
const declaredAt = new Date("2026-03-10T12:00:00Z");
const plus = (minutes: number) => new Date(declaredAt.getTime() + minutes * MIN);

const declared = (severity: Severity = "SEV2") => declareIncident({ severity }, declaredAt).state;
const acknowledged = (severity: Severity = "SEV2"): IncidentState => ({
  ...declared(severity),
  status: "acknowledged",
  acknowledgedBy: "ONCALL",
  acknowledgedAt: plus(5),
});
const resolved = (): IncidentState => ({
  ...acknowledged(),
  status: "resolved",
  resolvedBy: "ONCALL",
  resolvedAt: plus(50),
  resolution: "rolled back",
});

describe("incidentTransition accepts", () => {
  it.each([
    [
      "acknowledging",
      declared(),
      { type: "acknowledge", by: "ONCALL" },
      "acknowledged",
      ["cancel_response_check"],
    ],
    [
      "escalating an unacknowledged incident",
      declared(),
      { type: "escalate", by: "system" },
      "declared",
      ["page", "schedule_response_check"],
    ],
    [
      "escalating an acknowledged incident",
      acknowledged(),
      { type: "escalate", by: "ONCALL", reason: "need help" },
      "acknowledged",
      ["page"],
    ],
    [
      "resolving with a summary",
      acknowledged(),
      { type: "resolve", by: "ONCALL", summary: " rolled back " },
      "resolved",
      ["open_post_incident_review"],
    ],
    [
      "resolving before anyone acknowledged",
      declared(),
      { type: "resolve", by: "ONCALL", summary: "fixed" },
      "resolved",
      ["cancel_response_check", "open_post_incident_review"],
    ],
    [
      "lowering the severity",
      declared("SEV1"),
      { type: "change_severity", by: "K", to: "SEV3", reason: "false alarm" },
      "declared",
      [],
    ],
    [
      "raising an acknowledged incident",
      acknowledged("SEV3"),
      { type: "change_severity", by: "K", to: "SEV2", reason: "PII seen" },
      "acknowledged",
      ["page", "alert_security"],
    ],
  ] as const)("%s", (_what, state, event, status, effects) => {
    const result = incidentTransition(state, event, plus(10));
    if (!result.ok) throw new Error(result.reason);
    expect(result.state.status).toBe(status);
    expect(result.effects.map((e) => e.type)).toEqual(effects);
  });

  it("records who acknowledged and when", () => {
    const result = incidentTransition(declared(), { type: "acknowledge", by: "ONCALL" }, plus(3));
    expect(result.ok && result.state).toMatchObject({ acknowledgedBy: "ONCALL", acknowledgedAt: plus(3) });
  });

  it("an escalation re-pages on-call with the CISO and checks again one SLA later", () => {
    const result = incidentTransition(declared(), { type: "escalate", by: "system" }, plus(60));
    if (!result.ok) throw new Error(result.reason);
    expect(result.effects).toEqual([
      { type: "page", targets: ["on_call", "ciso"], reason: "escalated by system" },
      { type: "schedule_response_check", at: plus(120) },
    ]);
    expect(result.state).toMatchObject({ escalations: 1, escalatedAt: plus(60) });
  });

  it("raising SEV3 to SEV1 fires the SEV1 actions and shortens the response deadline", () => {
    const result = incidentTransition(
      declared("SEV3"),
      { type: "change_severity", by: "K", to: "SEV1", reason: "exfiltration" },
      plus(10),
    );
    if (!result.ok) throw new Error(result.reason);
    expect(result.effects.map((e) => e.type)).toEqual([
      "page",
      "suspend_agent",
      "notify_board",
      "open_emergency_quorum",
      "schedule_response_check",
    ]);
    expect(result.state).toMatchObject({
      severity: "SEV1",
      responseDueAt: plus(25),
      responseSlaMs: 15 * MIN,
    });
  });

  it("raising again after a downgrade fires only what has not yet run", () => {
    const down = incidentTransition(
      declared("SEV1"),
      { type: "change_severity", by: "K", to: "SEV2", reason: "contained" },
      plus(5),
    );
    if (!down.ok) throw new Error(down.reason);
    expect(down.effects).toEqual([]);
    const up = incidentTransition(
      down.state,
      { type: "change_severity", by: "K", to: "SEV1", reason: "it spread" },
      plus(6),
    );
    expect(up.ok && up.effects.map((e) => e.type)).toEqual([]);
  });

  it("never extends a running response deadline when lowering", () => {
    const result = incidentTransition(
      declared("SEV1"),
      { type: "change_severity", by: "K", to: "SEV3", reason: "minor" },
      plus(1),
    );
    expect(result.ok && result.state.responseDueAt).toEqual(plus(15));
  });

  it("resolving an unacknowledged incident counts as acknowledging it", () => {
    const result = incidentTransition(
      declared(),
      { type: "resolve", by: "ONCALL", summary: "fixed" },
      plus(7),
    );
    expect(result.ok && result.state).toMatchObject({
      acknowledgedBy: "ONCALL",
      acknowledgedAt: plus(7),
      resolution: "fixed",
    });
  });
});

describe("incidentTransition refuses", () => {
  it.each([
    [
      "a second acknowledgement",
      acknowledged(),
      { type: "acknowledge", by: "OTHER" },
      "duplicate",
      /^already acknowledged by ONCALL at 2026-03-10T12:05:00.000Z$/,
    ],
    [
      "acknowledging a resolved incident",
      resolved(),
      { type: "acknowledge", by: "ONCALL" },
      "invalid_transition",
      /already resolved/,
    ],
    [
      "escalating a resolved incident",
      resolved(),
      { type: "escalate", by: "ONCALL" },
      "invalid_transition",
      /already resolved/,
    ],
    [
      "changing the severity after resolution",
      resolved(),
      { type: "change_severity", by: "K", to: "SEV1", reason: "x" },
      "invalid_transition",
      /already resolved/,
    ],
    [
      "changing to the same severity",
      declared("SEV2"),
      { type: "change_severity", by: "K", to: "SEV2", reason: "x" },
      "duplicate",
      /already SEV2/,
    ],
    [
      "changing severity without a reason",
      declared(),
      { type: "change_severity", by: "K", to: "SEV1", reason: " " },
      "invalid_input",
      /needs a reason/,
    ],
    [
      "resolving without a summary",
      acknowledged(),
      { type: "resolve", by: "ONCALL", summary: "   " },
      "invalid_input",
      /resolution summary/,
    ],
    [
      "resolving twice",
      resolved(),
      { type: "resolve", by: "OTHER", summary: "again" },
      "duplicate",
      /already resolved by ONCALL/,
    ],
  ] as const)("%s", (_what, state, event, code, reason) => {
    expect(incidentTransition(state, event as IncidentEvent, plus(60))).toMatchObject({
      ok: false,
      code,
      reason: expect.stringMatching(reason),
    });
  });
});

describe("evaluateEmergencyQuorum", () => {
  // Chair C, co-chair D, members E F G: quorum is 3 of 5 including C or D.
  const committee: Committee = {
    chair: "C",
    coChair: "D",
    members: [
      { user: "E", role: "engineering" },
      { user: "F", role: "business" },
      { user: "G", role: "ethics" },
    ],
  };
  const deadline = plus(240);
  const poll = (specs: string[], now = plus(30)) => {
    const votes: QuorumVote[] = specs.map((s, i) => {
      const [voter = "", choice = "keep_suspended", minute = String(i + 1)] = s.split(":");
      return { voter, choice: choice as QuorumChoice, at: plus(Number(minute)) };
    });
    return evaluateEmergencyQuorum({ committee, votes, now, deadline });
  };

  it.each([
    [
      "a clear plurality to restore",
      ["C:restore_service", "E:restore_service", "F:keep_suspended"],
      "restore_service",
    ],
    [
      "a three-way tie goes to the board",
      ["C:restore_service", "E:keep_suspended", "F:escalate_to_board"],
      "escalate_to_board",
    ],
    [
      "keep vs restore tie stays suspended",
      ["C:restore_service", "E:restore_service", "F:keep_suspended", "G:keep_suspended"],
      "keep_suspended",
    ],
    [
      "escalate vs keep tie goes to the board",
      ["D:keep_suspended", "E:escalate_to_board", "F:keep_suspended", "G:escalate_to_board"],
      "escalate_to_board",
    ],
    [
      "a changed vote counts as changed",
      [
        "C:restore_service",
        "E:restore_service",
        "F:restore_service",
        "C:keep_suspended:9",
        "E:keep_suspended:9",
      ],
      "keep_suspended",
    ],
  ])("closes at quorum: %s", (_what, specs, outcome) => {
    expect(poll(specs)).toMatchObject({ closed: true, reason: "quorum", outcome });
  });

  it("stays open without quorum before the deadline, listing who has not voted", () => {
    expect(poll(["C:restore_service", "E:restore_service"])).toEqual({
      closed: false,
      tally: { keep_suspended: 0, restore_service: 2, escalate_to_board: 0 },
      awaiting: ["D", "F", "G"],
    });
  });

  it.each([
    ["a majority without chair or co-chair", ["E:restore_service", "F:restore_service", "G:restore_service"]],
    ["votes from non-members", ["C:restore_service", "X:restore_service", "Y:restore_service"]],
  ])("is not quorum with %s", (_what, specs) => {
    expect(poll(specs)).toMatchObject({ closed: false });
  });

  it.each([
    ["at the deadline", 240],
    ["after the deadline", 300],
  ])("closes %s without quorum as keep_suspended", (_what, minutes) => {
    expect(poll(["C:restore_service", "E:restore_service"], plus(minutes))).toMatchObject({
      closed: true,
      outcome: "keep_suspended",
      reason: "deadline",
    });
  });

  it("ignores votes cast at or after the deadline", () => {
    const result = poll(["C:restore_service", "E:restore_service", "F:restore_service:240"], plus(241));
    expect(result).toMatchObject({ closed: true, outcome: "keep_suspended", reason: "deadline" });
  });

  it("a quorum reached in time still counts when evaluated late", () => {
    const result = poll(["C:restore_service", "E:restore_service", "F:restore_service:239"], plus(250));
    expect(result).toMatchObject({ closed: true, outcome: "restore_service", reason: "quorum" });
  });
});
