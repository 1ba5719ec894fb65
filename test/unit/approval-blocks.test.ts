import { describe, expect, it } from "vitest";
import { signOffRequestDm } from "../../blocks/approval/dms.ts";
import { homeView } from "../../blocks/approval/home.ts";
import { conditionalVoteModal, raiseTierModal } from "../../blocks/approval/modals.ts";
import { type RequestView, requestMessage } from "../../blocks/approval/request-message.ts";
import { voteReply } from "../../blocks/approval/thread.ts";
import { requestControls, voteControls } from "../../src/slack/ids/approval.ts";
import { validateBlocks, validateView } from "../fakes/blockkit.ts";

const long = (n: number, s = "x") => s.repeat(n);

function view(over: Partial<RequestView> = {}): RequestView {
  return {
    adrId: 42,
    agentName: "Onboarding <!channel> *bot*",
    version: "1.0.0",
    requester: "UREQ000001",
    businessOwner: "UREQ000001",
    technicalOwner: "UTECH00001",
    dataSteward: null,
    tier: 3,
    computedTier: 3,
    score: 4,
    tierReasons: ["handles regulated data: +2", "can send external communications: +2"],
    tierRaised: null,
    tools: [{ name: "send_email", permissions: "templates only" }],
    data: ["email"],
    regulatedData: true,
    externalApiCalls: false,
    signOff: {
      rule: "committee",
      approvers: [{ user: "UCHAIR0001", role: "chair" }],
      quorum: { needed: 3, members: 5 },
      blockers: [],
    },
    slaDueAt: new Date("2026-01-10T17:00:00Z"),
    tally: { approve: 0, conditional: 0, reject: 0 },
    awaiting: ["UCHAIR0001"],
    voted: [],
    status: "in_review",
    closing: null,
    controls: requestControls(42),
    ...over,
  };
}

describe("approval Block Kit builders stay inside Slack's limits", () => {
  it("renders the request with the three vote buttons, the SLA in the reader's zone, and escaped names", () => {
    const m = requestMessage(view());
    expect(validateBlocks(m.blocks, "message")).toEqual([]);
    const json = JSON.stringify(m.blocks);
    expect(json).toContain("<!date^1768064400^{date_short_pretty} at {time}|2026-01-10 17:00 UTC>");
    // The header is plain_text (never parsed); every mrkdwn text is escaped.
    expect(m.blocks[0]!.type).toBe("header");
    expect(JSON.stringify(m.blocks.slice(1))).not.toContain("<!channel>");
    expect(m.text).not.toContain("<!channel>");
    const labels = m.blocks.flatMap((b) => ("elements" in b && b.type === "actions" ? b.elements : []));
    expect(labels.map((e) => ("text" in e ? e.text?.text : ""))).toEqual([
      "Approve",
      "Conditional",
      "Reject",
      "Raise tier",
      "Withdraw",
    ]);
  });

  it("keeps huge requests valid (many long tools, data and reasons) and drops buttons once decided", () => {
    const tools = Array.from({ length: 25 }, (_, i) => ({
      name: `${long(100, "t")}${i}`,
      permissions: long(200, "&"),
    }));
    const decided = view({
      tools,
      data: Array.from({ length: 25 }, () => long(200, "<")),
      tierReasons: Array.from({ length: 6 }, () => long(300)),
      status: "rejected",
      closing: { why: long(5000), at: new Date() },
      controls: null,
    });
    const m = requestMessage(decided);
    expect(validateBlocks(m.blocks, "message")).toEqual([]);
    expect(m.blocks.some((b) => b.type === "actions")).toBe(false);
  });

  it("builds a valid sign-off DM, vote reply and modals", () => {
    expect(
      validateBlocks(signOffRequestDm(view(), "technical_owner", voteControls(42)).blocks, "message"),
    ).toEqual([]);
    const reply = voteReply({
      voter: "UENG000001",
      role: "engineering",
      choice: "conditional",
      previousChoice: "approve",
      reason: long(3000),
      conditions: Array.from({ length: 5 }, () => ({
        text: long(500),
        owner: "UTECH00001",
        deadline: new Date(),
      })),
    });
    expect(validateBlocks(reply.blocks, "message")).toEqual([]);
    const base = { callbackId: "cb", privateMetadata: "{}", subject: "ADR-42 (x)" };
    expect(validateView(conditionalVoteModal(base), "modal")).toEqual([]);
    expect(validateView(raiseTierModal({ ...base, currentTier: 1, computedTier: 1 }), "modal")).toEqual([]);
  });

  it("keeps the App Home at or under 100 blocks however much is listed", () => {
    const many = 60;
    const home = homeView({
      pendingVotes: Array.from({ length: many }, (_, i) => ({
        adrId: i,
        agentName: long(200),
        tier: 3,
        role: "chair",
        slaDueAt: new Date(),
        link: "https://x.slack.com/archives/C1/p1",
      })),
      agents: Array.from({ length: many }, () => ({
        name: long(200),
        status: "approved",
        approvalStatus: "approved",
        tier: 2,
        nextReviewDate: null,
      })),
      items: Array.from({ length: many }, (_, i) => ({
        text: long(600),
        deadline: new Date(),
        about: "Condition of ADR-1",
        overdue: i % 2 === 0,
        control: { actionId: "approval_condition_done", value: `item-${i}` },
      })),
    });
    expect(home.blocks.length).toBeLessThanOrEqual(100);
    expect(validateView(home, "home")).toEqual([]);
  });
});
