import { describe, expect, it } from "vitest";
import { declareIncident, SEVERITY } from "../../src/domain/incident.ts";

const MIN = 60_000;
const declaredAt = new Date("2026-03-10T12:00:00Z");
const plus = (minutes: number) => new Date(declaredAt.getTime() + minutes * MIN);

describe("severities", () => {
  it.each([
    [
      "SEV1",
      "Critical",
      15,
      4,
      5,
      ["suspend_agent", "page_on_call", "page_ciso", "notify_board", "open_emergency_quorum"],
    ],
    ["SEV2", "High", 60, 4, 4, ["page_on_call", "alert_security"]],
    ["SEV3", "Medium", 240, 3, 3, ["alert_agent_owner"]],
  ] as const)("%s is %s, answered within %d minutes", (sev, label, minutes, examples, checklist, actions) => {
    const p = SEVERITY[sev];
    expect(p.label).toBe(label);
    expect(p.responseSlaMs).toBe(minutes * MIN);
    expect(p.examples).toHaveLength(examples);
    expect(p.checklist).toHaveLength(checklist);
    expect(p.automaticActions).toEqual(actions);
  });

  it("carries the framework's words", () => {
    expect(SEVERITY.SEV1.examples).toContain("Agent executed unauthorized financial transaction");
    expect(SEVERITY.SEV1.checklist[0]).toBe("IMMEDIATELY disable agent (automated)");
    expect(SEVERITY.SEV2.checklist).toContain("Determine if agent should be temporarily suspended");
  });
});

describe("declareIncident", () => {
  it("a SEV1 suspends the agent, pages on-call and the CISO, tells the board and opens the quorum", () => {
    const { state, effects } = declareIncident({ severity: "SEV1" }, declaredAt);
    expect(effects).toEqual([
      { type: "page", targets: ["on_call", "ciso"], reason: "SEV1 declared" },
      { type: "suspend_agent" },
      { type: "notify_board" },
      { type: "open_emergency_quorum", deadline: plus(240) },
      { type: "schedule_response_check", at: plus(15) },
    ]);
    expect(state).toMatchObject({ status: "declared", responseDueAt: plus(15), escalations: 0 });
  });

  it.each([
    ["SEV2", ["page", "alert_security", "schedule_response_check"]],
    ["SEV3", ["alert_agent_owner", "schedule_response_check"]],
  ] as const)("a %s fires %j", (severity, effects) => {
    expect(declareIncident({ severity }, declaredAt).effects.map((e) => e.type)).toEqual(effects);
  });

  it("takes a configured response SLA", () => {
    expect(
      declareIncident({ severity: "SEV2", responseSlaMs: 30 * MIN }, declaredAt).state.responseDueAt,
    ).toEqual(plus(30));
  });

  it("refuses a non-positive response SLA", () => {
    expect(() => declareIncident({ severity: "SEV2", responseSlaMs: 0 }, declaredAt)).toThrow(/positive/);
  });
});
