import { describe, expect, it } from "vitest";
import {
  PIR_PATHS,
  type ReviewDraft,
  reviewMarkdown,
  validateReview,
} from "../../src/domain/post-incident-review.ts";

const draft = (over: Partial<ReviewDraft> = {}): ReviewDraft => ({
  rootCause: "Filter gap",
  whys: ["Pattern missing", null, "", null, null],
  contributingFactors: "No canary\n\nFriday deploy",
  affectedScope: "12 sessions",
  controlsThatWorked: null,
  controlsThatFailed: "PII filter",
  actions: [
    { description: "Automate patterns", owner: "UENG1", deadline: "2026-04-01" },
    { description: null, owner: null, deadline: null },
  ],
  governanceProcessImprovements: null,
  policyChangesRecommended: "Output validation for tier 2+",
  ...over,
});

describe("validateReview", () => {
  it("accepts a complete review, skipping empty whys and empty action rows", () => {
    const r = validateReview(draft(), "2026-03-10");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.review.fiveWhys).toEqual(["Pattern missing"]);
    expect(r.review.remediationActions).toEqual([
      { description: "Automate patterns", owner: "UENG1", deadline: "2026-04-01" },
    ]);
  });

  it.each([
    ["no root cause", { rootCause: "  " }, [PIR_PATHS.rootCause]],
    ["no first why", { whys: [null] }, [PIR_PATHS.why(1)]],
    ["no affected scope", { affectedScope: null }, [PIR_PATHS.affectedScope]],
    [
      "a row without owner",
      { actions: [{ description: "x", owner: null, deadline: "2026-04-01" }] },
      [PIR_PATHS.actionOwner(1)],
    ],
    [
      "a row without description",
      { actions: [{ description: null, owner: "UENG2", deadline: "2026-04-01" }] },
      [PIR_PATHS.actionDescription(1)],
    ],
    [
      "a deadline in the past",
      { actions: [{ description: "x", owner: "UENG2", deadline: "2026-03-09" }] },
      [PIR_PATHS.actionDeadline(1)],
    ],
    ["an oversized field", { controlsThatWorked: "x".repeat(3001) }, [PIR_PATHS.controlsWorked]],
  ] as const)("refuses %s on the exact field", (_label, over, fields) => {
    const r = validateReview(draft(over as Partial<ReviewDraft>), "2026-03-10");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors)).toEqual(fields);
  });
});

describe("reviewMarkdown", () => {
  it("writes every section, the timeline and a remediation table", () => {
    const r = validateReview(
      draft({ actions: [{ description: "a | b", owner: "UENG2", deadline: "2026-04-01" }] }),
      "2026-03-10",
    );
    if (!r.ok) throw new Error("invalid");
    const md = reviewMarkdown(
      {
        id: 4,
        severity: "SEV1",
        agentName: "Payments\nAgent",
        summary: "Refund",
        declaredAt: new Date("2026-03-10T12:00:00Z"),
        acknowledgedAt: null,
        resolvedAt: new Date("2026-03-10T13:00:00Z"),
        resolution: "Rolled back",
        completedAt: null,
      },
      { ...r.review, timeline: [{ at: "2026-03-10T12:00:00.000Z", event: "incident_declared" }] },
    );
    expect(md).toContain("# Post-incident review: incident #4 (SEV1)");
    expect(md).toContain("- **Agent:** Payments Agent");
    expect(md).toContain("- 2026-03-10T12:00:00.000Z incident_declared");
    expect(md).toContain("| a \\| b | UENG2 | 2026-04-01 |");
    expect(md).toContain("- No canary\n- Friday deploy");
    expect(md).toContain("## Controls that worked\n\n_None recorded._");
  });
});
