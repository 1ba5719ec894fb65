import type { KnownBlock } from "@slack/types";
import type { QuorumChoice, QuorumTally, Severity } from "../../src/domain/incident.ts";
import { quorumVoteActionId, quorumValue } from "../../src/slack/ids/incident.ts";
import { person, plain, slackDate, userText } from "./format.ts";

export interface QuorumPollModel {
  quorumId: number;
  incidentId: number;
  severity: Severity;
  agentName: string;
  agentStatus: string;
  summary: string;
  status: "open" | "closed";
  outcome: QuorumChoice | null;
  closeReason: "quorum" | "deadline" | null;
  tally: QuorumTally;
  votes: { voter: string; choice: QuorumChoice }[];
  /** Votes needed for quorum (the chair or co-chair among them). */
  needed: number;
  members: number;
  deadline: Date;
  /** null when a SEV1 opened it automatically. */
  openedBy: string | null;
  closedAt: Date | null;
}

export const CHOICE_LABEL: Record<QuorumChoice, string> = {
  keep_suspended: "Keep suspended",
  restore_service: "Restore service",
  escalate_to_board: "Escalate to board",
};

function outcomeLine(m: QuorumPollModel): string {
  if (m.status === "open") {
    return `:ballot_box_with_ballot: *Open* until ${slackDate(m.deadline)}: ${m.votes.length}/${m.members} voted, quorum needs ${m.needed} including the chair or co-chair.`;
  }
  const at = m.closedAt ? slackDate(m.closedAt) : "";
  if (m.closeReason === "deadline") {
    return `:hourglass: *Closed at the deadline without quorum* ${at}: the agent stays as it is and the board has been notified.`;
  }
  return `:white_check_mark: *Decided* ${at}: *${CHOICE_LABEL[m.outcome ?? "keep_suspended"]}*.`;
}

/** The poll in the committee channel, with its live tally; updated in place. */
export function quorumPoll(m: QuorumPollModel): { text: string; blocks: KnownBlock[] } {
  const tally = (Object.keys(CHOICE_LABEL) as QuorumChoice[])
    .map((c) => `${CHOICE_LABEL[c]}: *${m.tally[c]}*`)
    .join("   ");
  const voters = m.votes.map((v) => `${person(v.voter)} ${CHOICE_LABEL[v.choice].toLowerCase()}`).join(", ");
  const blocks: KnownBlock[] = [
    { type: "header", text: plain(`Emergency quorum: ${m.agentName}`, 150) },
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `${m.severity} incident #${m.incidentId}: *${userText(m.summary, 600)}*\nAgent status: *${m.agentStatus}*. Convened ${m.openedBy ? `by ${person(m.openedBy)}` : "automatically (SEV1)"}.`,
      },
    },
    { type: "section", text: { type: "mrkdwn", text: outcomeLine(m) } },
    { type: "section", text: { type: "mrkdwn", text: `${tally}${voters ? `\nVotes: ${voters}` : ""}` } },
  ];
  if (m.status === "open") {
    const value = quorumValue(m.quorumId);
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: quorumVoteActionId("keep_suspended"),
          text: plain("Keep suspended", 75),
          value,
        },
        {
          type: "button",
          action_id: quorumVoteActionId("restore_service"),
          text: plain("Restore service", 75),
          style: "primary",
          value,
        },
        {
          type: "button",
          action_id: quorumVoteActionId("escalate_to_board"),
          text: plain("Escalate to board", 75),
          style: "danger",
          value,
        },
      ],
    });
    blocks.push({
      type: "context",
      elements: [
        { type: "mrkdwn", text: "Committee members only. You can change your vote until it closes." },
      ],
    });
  }
  const text = `Emergency quorum for ${userText(m.agentName, 200)} (incident #${m.incidentId}): ${m.status === "open" ? "vote now" : "closed"}`;
  return { text, blocks };
}
