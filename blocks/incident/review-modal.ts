import type { ContextBlock, InputBlock, KnownBlock, View } from "@slack/types";
import type { Severity } from "../../src/domain/incident.ts";
import { TEXT_MAX, type TimelineEvent } from "../../src/domain/post-incident-review.ts";
import {
  INCIDENT_VIEWS,
  INPUT_ACTION,
  incidentValue,
  MAX_REVIEW_ACTIONS,
  REVIEW_FIELDS,
  WHY_COUNT,
} from "../../src/slack/ids/incident.ts";
import { plain, slackDate, userText } from "./format.ts";

export interface ReviewFormModel {
  incidentId: number;
  severity: Severity;
  agentName: string;
  summary: string;
  resolution: string | null;
  timeline: TimelineEvent[];
}

/** Context blocks hold 10 elements each; the modal shows at most this many events. */
const TIMELINE_SHOWN = 30;

function text(blockId: string, label: string, o: { multiline?: boolean; optional?: boolean; hint?: string }) {
  const block: InputBlock = {
    type: "input",
    block_id: blockId,
    label: plain(label, 2000),
    ...(o.optional ? { optional: true } : {}),
    ...(o.hint ? { hint: plain(o.hint, 2000) } : {}),
    element: {
      type: "plain_text_input",
      action_id: INPUT_ACTION,
      max_length: TEXT_MAX,
      ...(o.multiline ? { multiline: true } : {}),
    },
  };
  return block;
}

/** Audit event types are our own snake_case names: shown verbatim in code, anything else escaped. */
const eventName = (type: string): string =>
  /^[a-z0-9_]{1,80}$/.test(type) ? `\`${type}\`` : userText(type, 80);

function timelineBlocks(events: TimelineEvent[]): KnownBlock[] {
  if (!events.length) {
    return [
      { type: "context", elements: [{ type: "mrkdwn", text: "_No audit entries in the incident window._" }] },
    ];
  }
  const shown = events.slice(0, TIMELINE_SHOWN);
  const blocks: ContextBlock[] = [];
  for (let i = 0; i < shown.length; i += 10) {
    blocks.push({
      type: "context",
      elements: shown.slice(i, i + 10).map((e) => ({
        type: "mrkdwn" as const,
        text: `${slackDate(new Date(e.at))} · ${eventName(e.event)}`,
      })),
    });
  }
  if (events.length > shown.length) {
    blocks.push({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `… and ${events.length - shown.length} more (all of them are in the export).`,
        },
      ],
    });
  }
  return blocks;
}

function actionRows(): KnownBlock[] {
  const rows: KnownBlock[] = [];
  for (let n = 1; n <= MAX_REVIEW_ACTIONS; n++) {
    rows.push(
      text(REVIEW_FIELDS.actionDescription(n), `Remediation action ${n}`, { optional: true }),
      {
        type: "input",
        block_id: REVIEW_FIELDS.actionOwner(n),
        optional: true,
        label: plain(`Owner of action ${n}`, 2000),
        element: { type: "users_select", action_id: INPUT_ACTION },
      },
      {
        type: "input",
        block_id: REVIEW_FIELDS.actionDeadline(n),
        optional: true,
        label: plain(`Deadline of action ${n}`, 2000),
        element: { type: "datepicker", action_id: INPUT_ACTION },
      },
    );
  }
  return rows;
}

/** The framework's PostIncidentReview as a modal, with the audit timeline as read-only context. */
export function reviewModal(m: ReviewFormModel): View {
  const whys: KnownBlock[] = [];
  for (let n = 1; n <= WHY_COUNT; n++) {
    whys.push(
      text(REVIEW_FIELDS.why(n), `Why ${n}?`, {
        optional: n > 1,
        ...(n === 1 ? { hint: "Why did it happen? Then ask why of each answer." } : {}),
      }),
    );
  }
  const blocks: KnownBlock[] = [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `${m.severity} incident #${m.incidentId} on *${userText(m.agentName, 200)}*: ${userText(m.summary, 600)}\n*Resolution:* ${userText(m.resolution, 1000)}`,
      },
    },
    { type: "section", text: { type: "mrkdwn", text: "*Timeline* (from the audit trail)" } },
    ...timelineBlocks(m.timeline),
    { type: "divider" },
    text(REVIEW_FIELDS.rootCause, "Root cause", { multiline: true }),
    ...whys,
    text(REVIEW_FIELDS.contributingFactors, "Contributing factors", {
      multiline: true,
      optional: true,
      hint: "One per line.",
    }),
    text(REVIEW_FIELDS.affectedScope, "Affected scope", {
      multiline: true,
      hint: "Users, data, systems and time span affected.",
    }),
    text(REVIEW_FIELDS.controlsWorked, "Controls that worked", {
      multiline: true,
      optional: true,
      hint: "One per line.",
    }),
    text(REVIEW_FIELDS.controlsFailed, "Controls that failed", {
      multiline: true,
      optional: true,
      hint: "One per line.",
    }),
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: "*Remediation actions*: each becomes a tracked item with reminders to its owner. Fill all three fields of a row, or none.",
      },
    },
    ...actionRows(),
    text(REVIEW_FIELDS.processImprovements, "Governance process improvements", {
      multiline: true,
      optional: true,
      hint: "One per line.",
    }),
    text(REVIEW_FIELDS.policyChanges, "Policy changes recommended", {
      multiline: true,
      optional: true,
      hint: "One per line.",
    }),
  ];
  return {
    type: "modal",
    callback_id: INCIDENT_VIEWS.review,
    private_metadata: incidentValue(m.incidentId),
    title: plain("Post-incident review", 24),
    submit: plain("Complete review", 24),
    close: plain("Cancel", 24),
    blocks,
  };
}
