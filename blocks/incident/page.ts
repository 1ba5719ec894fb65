import type { ActionsBlockElement, KnownBlock, PlainTextOption } from "@slack/types";
import { type IncidentStatus, SEVERITIES, SEVERITY, type Severity } from "../../src/domain/incident.ts";
import {
  checklistValue,
  INCIDENT_ACTIONS,
  incidentValue,
  severityChoiceValue,
} from "../../src/slack/ids/incident.ts";
import { minutesLabel, type OnCall, onCallMentions, person, plain, slackDate, userText } from "./format.ts";

export interface IncidentPageModel {
  id: number;
  severity: Severity;
  status: IncidentStatus;
  agent: {
    name: string;
    status: string;
    riskTier: number | null;
    businessOwner: string;
    technicalOwner: string;
  };
  summary: string;
  observed: string | null;
  /** A Slack user id, or null when the agent's runtime declared it. */
  declaredBy: string | null;
  declaredAt: Date;
  responseDueAt: Date;
  responseSlaMs: number;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  resolution: string | null;
  repageCount: number;
  checklistDone: readonly number[];
  oncall: OnCall;
  /** Mentioned on the page itself (SEV1 pages the CISO). */
  ciso: string | null;
  quorum: { status: string; outcome: string | null } | null;
}

const SIREN: Record<Severity, string> = {
  SEV1: ":rotating_light:",
  SEV2: ":warning:",
  SEV3: ":large_yellow_circle:",
};

export const severityTitle = (s: Severity): string => `${s} ${SEVERITY[s].label}`;

function statusLine(m: IncidentPageModel): string {
  switch (m.status) {
    case "declared":
      return `:red_circle: *Not acknowledged*: respond by ${slackDate(m.responseDueAt)}`;
    case "acknowledged":
      return `:large_orange_circle: *Acknowledged* by ${person(m.acknowledgedBy)} at ${slackDate(m.acknowledgedAt ?? m.declaredAt)}`;
    case "resolved":
      return `:white_check_mark: *Resolved* by ${person(m.resolvedBy)} at ${slackDate(m.resolvedAt ?? m.declaredAt)}: ${userText(m.resolution, 1500)}`;
  }
}

function severityOption(id: number, s: Severity): PlainTextOption {
  return { text: plain(severityTitle(s), 75), value: severityChoiceValue(id, s) };
}

function controls(m: IncidentPageModel): ActionsBlockElement[] {
  const value = incidentValue(m.id);
  const out: ActionsBlockElement[] = [];
  if (m.status === "declared") {
    out.push({
      type: "button",
      action_id: INCIDENT_ACTIONS.acknowledge,
      text: plain("Acknowledge", 75),
      style: "primary",
      value,
    });
  }
  out.push(
    { type: "button", action_id: INCIDENT_ACTIONS.escalate, text: plain("Escalate", 75), value },
    { type: "button", action_id: INCIDENT_ACTIONS.resolve, text: plain("Resolve", 75), value },
    {
      type: "static_select",
      action_id: INCIDENT_ACTIONS.changeSeverity,
      placeholder: plain("Change severity", 150),
      options: SEVERITIES.map((s) => severityOption(m.id, s)),
      initial_option: severityOption(m.id, m.severity),
    },
  );
  if (!m.quorum) {
    out.push({
      type: "button",
      action_id: INCIDENT_ACTIONS.convene,
      text: plain("Convene emergency quorum", 75),
      value,
    });
  }
  return out;
}

/** The page in the on-call channel; re-rendered in place on every change. */
export function incidentPage(m: IncidentPageModel): { text: string; blocks: KnownBlock[] } {
  const profile = SEVERITY[m.severity];
  const mentions = [onCallMentions(m.oncall), m.ciso ? `<@${m.ciso}>` : ""].filter(Boolean).join(" ");
  const agentLine = `${userText(m.agent.name, 200)} (tier ${m.agent.riskTier ?? "?"}, ${m.agent.status})`;
  const blocks: KnownBlock[] = [
    {
      type: "header",
      text: plain(`${severityTitle(m.severity)} incident #${m.id}: ${m.agent.name}`, 150),
    },
    {
      type: "section",
      text: { type: "mrkdwn", text: `${SIREN[m.severity]} ${mentions}\n*${userText(m.summary, 600)}*` },
    },
    {
      type: "section",
      fields: [
        { type: "mrkdwn", text: `*Agent*\n${agentLine}` },
        {
          type: "mrkdwn",
          text: `*Owners*\n${person(m.agent.businessOwner)} (business), ${person(m.agent.technicalOwner)} (technical)`,
        },
        {
          type: "mrkdwn",
          text: `*Declared by*\n${m.declaredBy ? person(m.declaredBy) : "the agent's runtime"} at ${slackDate(m.declaredAt)}`,
        },
        {
          type: "mrkdwn",
          text: `*Response deadline*\n${slackDate(m.responseDueAt)} (${minutesLabel(m.responseSlaMs)} SLA)`,
        },
      ],
    },
    { type: "section", text: { type: "mrkdwn", text: statusLine(m) } },
  ];
  if (m.observed?.trim()) {
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: `*What was observed*\n${userText(m.observed, 2500)}` },
    });
  }
  const options = profile.checklist.map((item, i) => ({
    text: plain(item, 75),
    value: checklistValue(m.id, i),
  }));
  const done = options.filter((_, i) => m.checklistDone.includes(i));
  blocks.push(
    { type: "section", text: { type: "mrkdwn", text: `*Checklist* (framework ${profile.frameworkKey})` } },
    {
      type: "actions",
      block_id: `checklist-${m.id}`,
      elements: [
        {
          type: "checkboxes",
          action_id: INCIDENT_ACTIONS.checklist,
          options,
          ...(done.length ? { initial_options: done } : {}),
        },
      ],
    },
  );
  if (m.status !== "resolved") blocks.push({ type: "actions", elements: controls(m) });
  const notes = [
    m.repageCount ? `Re-paged ${m.repageCount} time${m.repageCount === 1 ? "" : "s"}` : "",
    m.quorum
      ? `Emergency quorum ${m.quorum.status}${m.quorum.outcome ? `: ${m.quorum.outcome.replace(/_/g, " ")}` : ""}`
      : "",
  ].filter(Boolean);
  if (notes.length) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: notes.join(" · ") }] });
  const text = `${mentions} ${severityTitle(m.severity)} incident #${m.id} on ${userText(m.agent.name, 200)}: ${userText(m.summary, 300)}`;
  return { text, blocks };
}
