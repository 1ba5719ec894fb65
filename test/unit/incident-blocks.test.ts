import { describe, expect, it } from "vitest";
import { declaredModal, declareIncidentModal } from "../../blocks/incident/declare-modal.ts";
import { reviewInvitation } from "../../blocks/incident/notices.ts";
import { type IncidentPageModel, incidentPage } from "../../blocks/incident/page.ts";
import { quorumPoll } from "../../blocks/incident/quorum-poll.ts";
import { resolveIncidentModal } from "../../blocks/incident/resolve-modal.ts";
import { reviewMessage } from "../../blocks/incident/review-message.ts";
import { reviewModal } from "../../blocks/incident/review-modal.ts";
import {
  checklistChange,
  checklistValue,
  parseAgentValue,
  parseIncidentValue,
  parseQuorumVoteAction,
  parseSeverityChoiceValue,
  readInput,
  shownChecklist,
} from "../../src/slack/ids/incident.ts";
import { validateBlocks, validateView } from "../fakes/blockkit.ts";

function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (!value || typeof value !== "object") return [];
  const o = value as Record<string, unknown>;
  const own = o.type === "mrkdwn" && typeof o.text === "string" ? [o.text] : [];
  return [...own, ...Object.values(o).flatMap(mrkdwnTexts)];
}

const hostile = `<!channel> *bold* <@U123> ${"x".repeat(5000)}`;
const at = new Date("2026-03-10T12:00:00Z");

function page(over: Partial<IncidentPageModel> = {}): IncidentPageModel {
  return {
    id: 7,
    severity: "SEV1",
    status: "declared",
    agent: {
      name: hostile,
      status: "suspended",
      riskTier: 4,
      businessOwner: "UBIZ",
      technicalOwner: "ops@example.com",
    },
    summary: hostile,
    observed: hostile,
    declaredBy: "UONCALL",
    declaredAt: at,
    responseDueAt: new Date(at.getTime() + 900_000),
    responseSlaMs: 900_000,
    acknowledgedBy: null,
    acknowledgedAt: null,
    resolvedBy: null,
    resolvedAt: null,
    resolution: null,
    repageCount: 2,
    checklistDone: [0, 3],
    oncall: { users: ["UONCALL"], usergroup: "SONCALL" },
    ciso: "UCISO",
    quorum: null,
    ...over,
  };
}

describe("incident Block Kit builders", () => {
  it("render within Slack's limits even from hostile, oversized text, and never ping from it", () => {
    for (const m of [
      page(),
      page({ status: "acknowledged", acknowledgedBy: "UX", acknowledgedAt: at }),
      page({
        status: "resolved",
        resolution: hostile,
        resolvedBy: "UX",
        resolvedAt: at,
        quorum: { status: "closed", outcome: "restore_service" },
      }),
    ]) {
      const msg = incidentPage(m);
      expect(validateBlocks(msg.blocks, "message")).toEqual([]);
      // Special mentions only act in mrkdwn (plain_text shows them literally).
      const mrkdwn = JSON.stringify([msg.text, mrkdwnTexts(msg.blocks)]);
      expect(mrkdwn).not.toContain("<!channel>");
      expect(mrkdwn).not.toContain("<@U123>");
    }
    const text = JSON.stringify(incidentPage(page()));
    expect(text).toContain("<!subteam^SONCALL>");
    expect(text).toContain("<@UCISO>");
    expect(text).toContain("<!date^");
  });

  it("shows the checklist's ticked items as initial options and drops the controls once resolved", () => {
    const open = incidentPage(page());
    expect(shownChecklist(open.blocks).map((o) => o.value)).toEqual([
      checklistValue(7, 0),
      checklistValue(7, 3),
    ]);
    const resolved = incidentPage(
      page({ status: "resolved", resolvedBy: "UX", resolvedAt: at, resolution: "fixed" }),
    );
    expect(JSON.stringify(resolved.blocks)).not.toContain("incident_acknowledge");
  });

  it("builds valid modals and messages", () => {
    const agents = Array.from({ length: 100 }, (_, i) => ({
      id: i + 1,
      name: `${hostile}${i}`,
      status: "deployed",
    }));
    const sla = { SEV1: 900_000, SEV2: 3_600_000, SEV3: 14_400_000 };
    expect(
      validateView(
        declareIncidentModal({ agents, truncated: true, preselectedAgentId: 5, responseSlaMs: sla }),
      ),
    ).toEqual([]);
    expect(
      validateView(
        declaredModal({
          incidentId: 1,
          severity: "SEV1",
          agentName: hostile,
          suspended: true,
          oncallChannel: "C1",
        }),
      ),
    ).toEqual([]);
    expect(
      validateView(
        resolveIncidentModal({ incidentId: 1, severity: "SEV2", agentName: hostile, summary: hostile }),
      ),
    ).toEqual([]);
    const timeline = Array.from({ length: 80 }, (_, i) => ({
      at: at.toISOString(),
      event: i % 2 ? "tool_called" : hostile,
    }));
    expect(
      validateView(
        reviewModal({
          incidentId: 1,
          severity: "SEV1",
          agentName: hostile,
          summary: hostile,
          resolution: hostile,
          timeline,
        }),
      ),
    ).toEqual([]);
    const poll = quorumPoll({
      quorumId: 3,
      incidentId: 1,
      severity: "SEV1",
      agentName: hostile,
      agentStatus: "suspended",
      summary: hostile,
      status: "open",
      outcome: null,
      closeReason: null,
      tally: { keep_suspended: 1, restore_service: 0, escalate_to_board: 0 },
      votes: [{ voter: "UCHAIR", choice: "keep_suspended" }],
      needed: 3,
      members: 5,
      deadline: at,
      openedBy: null,
      closedAt: null,
    });
    expect(validateBlocks(poll.blocks, "message")).toEqual([]);
    expect(validateBlocks(reviewInvitation(1, "UX", hostile).blocks, "message")).toEqual([]);
    const review = {
      rootCause: hostile,
      fiveWhys: [hostile, hostile, hostile, hostile, hostile],
      contributingFactors: hostile,
      affectedScope: hostile,
      controlsThatWorked: hostile,
      controlsThatFailed: hostile,
      remediationActions: Array.from({ length: 5 }, () => ({
        description: hostile,
        owner: "UX",
        deadline: "2026-04-01",
      })),
      governanceProcessImprovements: hostile,
      policyChangesRecommended: hostile,
      timeline: [],
    };
    const ref = { id: 1, severity: "SEV2" as const, agentName: hostile, summary: hostile };
    expect(validateBlocks(reviewMessage(ref, review, "UX", at).blocks, "message")).toEqual([]);
  });
});

describe("incident ids", () => {
  it.each([
    ["incident-12", 12],
    ["incident-0", null],
    ["incident-12x", null],
    ["adr-12", null],
    [12, null],
  ])("parses incident value %s", (value, expected) => {
    expect(parseIncidentValue(value)).toBe(expected);
  });

  it("parses the other values and refuses junk", () => {
    expect(parseAgentValue("42")).toBe(42);
    expect(parseAgentValue("4 2")).toBeNull();
    expect(parseSeverityChoiceValue("incident-3-SEV1")).toEqual({ incidentId: 3, severity: "SEV1" });
    expect(parseSeverityChoiceValue("incident-3-SEV4")).toBeNull();
    expect(parseQuorumVoteAction("quorum_vote_restore_service")).toBe("restore_service");
    expect(parseQuorumVoteAction("quorum_vote_approve")).toBeNull();
  });

  it("turns a checklist click into what it changed", () => {
    const v = (i: number) => ({ value: checklistValue(9, i) });
    expect(checklistChange([v(0), v(2)], [v(0), v(1)])).toEqual({
      incidentId: 9,
      ticked: [2],
      unticked: [1],
    });
    expect(checklistChange([], [v(4)])).toEqual({ incidentId: 9, ticked: [], unticked: [4] });
    expect(checklistChange([{ value: "junk" }], [])).toEqual({ incidentId: null, ticked: [], unticked: [] });
  });

  it("reads any input element's value", () => {
    const values = {
      a: { value: { type: "plain_text_input", value: "text" } },
      b: { value: { type: "static_select", selected_option: { value: "7" } } },
      c: { value: { type: "users_select", selected_user: "U1" } },
      d: { value: { type: "datepicker", selected_date: "2026-01-02" } },
      e: { value: { type: "plain_text_input", value: null } },
    };
    expect(["a", "b", "c", "d", "e", "missing"].map((k) => readInput(values, k))).toEqual([
      "text",
      "7",
      "U1",
      "2026-01-02",
      null,
      null,
    ]);
  });
});
