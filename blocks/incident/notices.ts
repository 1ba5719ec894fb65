import type { KnownBlock } from "@slack/types";
import type { QuorumChoice, Severity } from "../../src/domain/incident.ts";
import { INCIDENT_ACTIONS, incidentValue } from "../../src/slack/ids/incident.ts";
import { type OnCall, onCallMentions, person, plain, slackDate, userText } from "./format.ts";
import { severityTitle } from "./page.ts";
import { CHOICE_LABEL } from "./quorum-poll.ts";

export type Message = { text: string; blocks: KnownBlock[] };

/** What an incident is, in one escaped line. */
export interface IncidentRef {
  id: number;
  severity: Severity;
  agentName: string;
  summary: string;
}

const line = (text: string): Message => ({
  text,
  blocks: [{ type: "section", text: { type: "mrkdwn", text } }],
});

const about = (i: IncidentRef): string =>
  `${severityTitle(i.severity)} incident #${i.id} on *${userText(i.agentName, 200)}*: ${userText(i.summary, 600)}`;

/** A short reply in the page's thread: the incident's timeline as it happens. */
export const timelineEntry = (text: string): Message => line(text);

/** A page in the thread (re-page, escalation, raise); `what` is trusted mrkdwn composed by the caller. */
export function pageReply(what: string, oncall: OnCall, ciso: string | null): Message {
  const who = [onCallMentions(oncall), ciso ? `<@${ciso}>` : ""].filter(Boolean).join(" ");
  return line(`:rotating_light: ${what} ${who} please respond.`);
}

export function cisoSev1Dm(i: IncidentRef, suspended: boolean, oncallChannel: string): Message {
  return line(
    `:rotating_light: ${about(i)}\n${suspended ? "The agent has been *suspended*. " : ""}On-call has been paged in <#${oncallChannel}>; the emergency quorum is open in the committee channel.`,
  );
}

export function securityAlertDm(i: IncidentRef, oncallChannel: string): Message {
  return line(`:warning: Security alert: ${about(i)}\nOn-call has been paged in <#${oncallChannel}>.`);
}

export function ownerAlertDm(i: IncidentRef, oncallChannel: string): Message {
  return line(
    `:large_yellow_circle: An incident was declared on an agent you own. ${about(i)}\nFollow it in <#${oncallChannel}>.`,
  );
}

export function boardSev1Notice(i: IncidentRef, suspended: boolean): Message {
  return line(
    `:rotating_light: *Board notice*: ${about(i)}\n${suspended ? "The agent was suspended automatically. " : ""}The committee's emergency quorum is deciding whether to keep it suspended, restore service or escalate to the board.`,
  );
}

export function boardQuorumNotice(
  i: IncidentRef,
  outcome: QuorumChoice,
  reason: "quorum" | "deadline",
): Message {
  const why =
    reason === "deadline"
      ? "The emergency quorum closed at its deadline without quorum: the agent stays as it is (suspended if it was)."
      : `The committee's emergency quorum decided: *${CHOICE_LABEL[outcome]}*.`;
  return line(`:classical_building: *Board notice*: ${about(i)}\n${why}`);
}

export function quorumReminderDm(i: IncidentRef, deadline: Date): Message {
  return line(
    `:ballot_box_with_ballot: Your vote is needed in the emergency quorum on ${about(i)}\nIt closes ${slackDate(deadline)}; vote in the committee channel.`,
  );
}

export function agentStatusDm(agentName: string, status: string, reason: string): Message {
  return line(`Your agent *${userText(agentName, 200)}* is now *${status}*: ${userText(reason, 500)}`);
}

/** Posted in the thread when the incident is resolved: the way into the post-incident review. */
export function reviewInvitation(incidentId: number, resolvedBy: string | null, resolution: string): Message {
  const text = `:white_check_mark: Resolved by ${person(resolvedBy)}: ${userText(resolution, 1500)}\nThe post-incident review is now open.`;
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text } },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: INCIDENT_ACTIONS.startReview,
            text: plain("Start review", 75),
            style: "primary",
            value: incidentValue(incidentId),
          },
        ],
      },
    ],
  };
}
