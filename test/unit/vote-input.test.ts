import { describe, expect, it } from "vitest";
import { checkVote, endOfLocalDay, sameVote } from "../../src/domain/vote-input.ts";

const now = new Date("2026-03-10T12:00:00Z");

describe("checkVote", () => {
  it.each([
    ["approve", {}, true],
    ["reject", { reason: "no DPA" }, true],
    ["reject", { reason: "  " }, false],
    ["conditional", { conditions: [] }, false],
    ["conditional", { conditions: [{ text: "x", owner: "UTECH00001", deadline: "2026-03-10" }] }, true],
    ["conditional", { conditions: [{ text: "x", owner: "UTECH00001", deadline: "2026-03-09" }] }, false],
    ["conditional", { conditions: [{ text: "x", owner: "not-a-user", deadline: "2026-03-20" }] }, false],
    ["conditional", { conditions: [{ text: "x", owner: "UTECH00001", deadline: "2026-02-30" }] }, false],
  ] as const)("%s with %j is accepted: %s", (choice, extra, ok) => {
    expect(checkVote({ choice, ...extra }, now, "UTC").ok).toBe(ok);
  });

  it("names the exact fields of a half-filled row and skips empty rows", () => {
    const r = checkVote(
      {
        choice: "conditional",
        conditions: [{}, { text: "Encrypt" }, { text: "", owner: null, deadline: null }],
      },
      now,
      "UTC",
    );
    expect(r).toEqual({
      ok: false,
      fields: {
        "conditions.1.owner": "choose who owns this condition",
        "conditions.1.deadline": "choose a deadline",
      },
    });
  });

  it("puts the deadline at the end of the chosen day in the calendar's zone", () => {
    expect(endOfLocalDay("2026-03-10", "America/New_York")?.toISOString()).toBe("2026-03-11T03:59:59.999Z");
  });

  it("treats the same choice, reason and conditions as the same vote", () => {
    const a = {
      choice: "conditional",
      reason: null,
      conditions: [{ text: "a", owner: "U1", deadline: "d" }],
    };
    expect(sameVote(a, { ...a, conditions: [{ owner: "U1", text: "a", deadline: "d" }] })).toBe(true);
    expect(sameVote(a, { ...a, reason: "x" })).toBe(false);
  });
});
