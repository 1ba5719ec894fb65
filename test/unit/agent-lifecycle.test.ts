import { describe, expect, it } from "vitest";
import {
  type AgentEvent,
  type AgentState,
  type AgentStatus,
  agentTransition,
  newAgentState,
} from "../../src/domain/approval.ts";

const now = new Date("2026-03-10T12:00:00Z");
const earlier = new Date("2026-02-01T12:00:00Z");
const DAY = 86_400_000;

function agent(status: AgentStatus, patch: Partial<AgentState> = {}): AgentState {
  return { ...newAgentState(2), status, ...patch };
}
const by = "TO";

describe("agentTransition accepts", () => {
  it.each([
    ["approving a proposal", agent("proposed"), { type: "approve", by }, "approved"],
    ["marking an approved agent deployed", agent("approved"), { type: "deploy", by }, "deployed"],
    ["suspending a deployed agent", agent("deployed"), { type: "suspend", by, reason: "SEV1" }, "suspended"],
    [
      "suspending an approved agent (emergency)",
      agent("approved"),
      { type: "suspend", by, reason: "SEV1" },
      "suspended",
    ],
    [
      "restoring a deployed agent to service",
      agent("suspended", { deployedAt: earlier }),
      { type: "restore", by, reason: "quorum" },
      "deployed",
    ],
    [
      "restoring a never-deployed agent to approved",
      agent("suspended"),
      { type: "restore", by, reason: "quorum" },
      "approved",
    ],
    [
      "decommissioning a suspended agent",
      agent("suspended"),
      { type: "decommission", by, reason: "unsafe" },
      "decommissioned",
    ],
    [
      "decommissioning a deployed agent",
      agent("deployed"),
      { type: "decommission", by, reason: "retired" },
      "decommissioned",
    ],
    [
      "decommissioning a proposal that will never ship",
      agent("proposed"),
      { type: "decommission", by, reason: "rejected" },
      "decommissioned",
    ],
  ] as const)("%s", (_what, state, event, status) => {
    const result = agentTransition(state, event, now);
    if (!result.ok) throw new Error(result.reason);
    expect(result.state.status).toBe(status);
  });

  it("schedules the post-deployment review from approval, then again from deployment", () => {
    const approved = agentTransition(agent("proposed"), { type: "approve", by }, earlier);
    expect(approved.ok && approved.effects[0]).toEqual({
      type: "schedule_review",
      kind: "post_deployment",
      dueAt: new Date(earlier.getTime() + 90 * DAY),
    });
    const deployed = agentTransition(agent("approved"), { type: "deploy", by }, now);
    expect(deployed.ok && deployed.effects[0]).toEqual({
      type: "schedule_review",
      kind: "post_deployment",
      dueAt: new Date(now.getTime() + 90 * DAY),
    });
  });

  it("keeps the reason of a suspension and clears it on restore", () => {
    const suspended = agentTransition(
      agent("deployed", { deployedAt: earlier }),
      { type: "suspend", by, reason: "SEV1" },
      now,
    );
    if (!suspended.ok) throw new Error(suspended.reason);
    expect(suspended.state).toMatchObject({ suspendedAt: now, suspendedReason: "SEV1" });
    const restored = agentTransition(suspended.state, { type: "restore", by, reason: "quorum" }, now);
    expect(restored.ok && restored.state).toMatchObject({
      status: "deployed",
      suspendedAt: null,
      suspendedReason: null,
    });
  });

  it("cancels reviews and revokes the runtime token on decommission", () => {
    const result = agentTransition(agent("deployed"), { type: "decommission", by, reason: "retired" }, now);
    expect(result.ok && result.effects.map((e) => e.type)).toEqual([
      "cancel_reviews",
      "revoke_runtime_token",
      "notify_owners",
    ]);
  });
});

describe("agentTransition refuses", () => {
  it.each([
    ["approving twice", agent("approved"), { type: "approve", by }, "duplicate", /already approved/],
    [
      "approving a deployed agent",
      agent("deployed"),
      { type: "approve", by },
      "invalid_transition",
      /is deployed/,
    ],
    ["deploying a proposal", agent("proposed"), { type: "deploy", by }, "invalid_transition", /is proposed/],
    [
      "deploying a suspended agent (restore it instead)",
      agent("suspended"),
      { type: "deploy", by },
      "invalid_transition",
      /is suspended/,
    ],
    [
      "deploying twice",
      agent("deployed", { deployedAt: earlier }),
      { type: "deploy", by },
      "duplicate",
      /already deployed at 2026-02-01/,
    ],
    [
      "suspending a proposal",
      agent("proposed"),
      { type: "suspend", by, reason: "x" },
      "invalid_transition",
      /is proposed/,
    ],
    [
      "suspending twice",
      agent("suspended", { suspendedAt: earlier, suspendedReason: "SEV1" }),
      { type: "suspend", by, reason: "x" },
      "duplicate",
      /already suspended since 2026-02-01.*SEV1/,
    ],
    [
      "suspending without a reason",
      agent("deployed"),
      { type: "suspend", by, reason: "  " },
      "invalid_input",
      /needs a reason/,
    ],
    [
      "restoring an agent that is not suspended",
      agent("deployed"),
      { type: "restore", by, reason: "x" },
      "invalid_transition",
      /is deployed/,
    ],
    [
      "restoring without a reason",
      agent("suspended"),
      { type: "restore", by, reason: "" },
      "invalid_input",
      /needs a reason/,
    ],
    [
      "decommissioning twice",
      agent("decommissioned", { decommissionedAt: earlier }),
      { type: "decommission", by, reason: "x" },
      "duplicate",
      /already decommissioned/,
    ],
    [
      "anything after decommission",
      agent("decommissioned"),
      { type: "restore", by, reason: "x" },
      "invalid_transition",
      /is decommissioned/,
    ],
  ] as const)("%s", (_what, state, event, code, reason) => {
    expect(agentTransition(state, event as AgentEvent, now)).toMatchObject({
      ok: false,
      code,
      reason: expect.stringMatching(reason),
    });
  });
});
