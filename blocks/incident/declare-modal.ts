import type { KnownBlock, PlainTextOption, View } from "@slack/types";
import { SEVERITIES, SEVERITY, type Severity } from "../../src/domain/incident.ts";
import { SUMMARY_MAX, TEXT_MAX } from "../../src/domain/post-incident-review.ts";
import { DECLARE_FIELDS, INCIDENT_VIEWS, INPUT_ACTION } from "../../src/slack/ids/incident.ts";
import { minutesLabel, plain, userText } from "./format.ts";

export interface DeclareFormModel {
  /** Agents that are not decommissioned, at most 100 (static_select's limit). */
  agents: { id: number; name: string; status: string }[];
  /** More agents exist than the list shows. */
  truncated: boolean;
  preselectedAgentId: number | null;
  responseSlaMs: Record<Severity, number>;
}

/** The framework's examples, shortened to fit an option description (75 characters). */
const SHORT_EXAMPLES: Record<Severity, string> = {
  SEV1: "Exfiltration, unauthorised transaction, bypassed access, malicious code",
  SEV2: "Blocked prompt injection, unexpected PII, odd tool calls, hallucination",
  SEV3: "Degraded performance, repeated task failures, cost spike",
};

function severityOption(s: Severity, slaMs: number): PlainTextOption {
  return {
    text: plain(`${s} ${SEVERITY[s].label}: respond within ${minutesLabel(slaMs)}`, 75),
    value: s,
    description: plain(SHORT_EXAMPLES[s], 75),
  };
}

export function declareIncidentModal(m: DeclareFormModel): View {
  const options: PlainTextOption[] = m.agents.map((a) => ({
    text: plain(`${a.name} (${a.status})`, 75),
    value: String(a.id),
  }));
  const initial = options.find((o) => o.value === String(m.preselectedAgentId));
  const examples = SEVERITIES.map((s) => `${s}: ${SEVERITY[s].examples.join("; ")}.`).join(" ");
  const blocks: KnownBlock[] = [
    {
      type: "input",
      block_id: DECLARE_FIELDS.agent,
      label: plain("Agent", 2000),
      ...(m.truncated
        ? { hint: plain("Only the first 100 agents are listed: use /agent-incident NAME for another.", 2000) }
        : {}),
      element: {
        type: "static_select",
        action_id: INPUT_ACTION,
        placeholder: plain("Which agent?", 150),
        options,
        ...(initial ? { initial_option: initial } : {}),
      },
    },
    {
      type: "input",
      block_id: DECLARE_FIELDS.severity,
      label: plain("Severity", 2000),
      hint: plain(`The framework's examples. ${examples}`, 2000),
      element: {
        type: "radio_buttons",
        action_id: INPUT_ACTION,
        options: SEVERITIES.map((s) => severityOption(s, m.responseSlaMs[s])),
      },
    },
    {
      type: "input",
      block_id: DECLARE_FIELDS.summary,
      label: plain("Summary", 2000),
      element: {
        type: "plain_text_input",
        action_id: INPUT_ACTION,
        max_length: SUMMARY_MAX,
        placeholder: plain("One line: what is happening", 150),
      },
    },
    {
      type: "input",
      block_id: DECLARE_FIELDS.observed,
      optional: true,
      label: plain("What was observed", 2000),
      hint: plain("Logs, sessions, times, affected users. No secrets: this is posted to on-call.", 2000),
      element: { type: "plain_text_input", action_id: INPUT_ACTION, multiline: true, max_length: TEXT_MAX },
    },
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: "SEV1 suspends the agent at once, pages on-call and the CISO, notifies the board and opens the committee's emergency quorum.",
        },
      ],
    },
  ];
  return {
    type: "modal",
    callback_id: INCIDENT_VIEWS.declare,
    title: plain("Declare agent incident", 24),
    submit: plain("Declare", 24),
    close: plain("Cancel", 24),
    blocks,
  };
}

/** What the declarer sees once the incident exists (the modal is updated in place). */
export function declaredModal(m: {
  incidentId: number;
  severity: Severity;
  agentName: string;
  suspended: boolean;
  oncallChannel: string;
}): View {
  const lines = [
    `*${m.severity} incident #${m.incidentId}* declared on *${userText(m.agentName, 200)}*.`,
    `On-call has been paged in <#${m.oncallChannel}>; follow the incident there.`,
    ...(m.suspended ? ["The agent is *suspended*: the runtime policy API denies it everything."] : []),
  ];
  return {
    type: "modal",
    callback_id: `${INCIDENT_VIEWS.declare}_done`,
    title: plain("Incident declared", 24),
    close: plain("Done", 24),
    blocks: [{ type: "section", text: { type: "mrkdwn", text: lines.join("\n") } }],
  };
}
