import type { View } from "@slack/types";
import type { Severity } from "../../src/domain/incident.ts";
import { TEXT_MAX } from "../../src/domain/post-incident-review.ts";
import { INCIDENT_VIEWS, INPUT_ACTION, incidentValue, RESOLVE_FIELDS } from "../../src/slack/ids/incident.ts";
import { plain, userText } from "./format.ts";

/** "Resolve" on the page: the resolution summary is required. */
export function resolveIncidentModal(m: {
  incidentId: number;
  severity: Severity;
  agentName: string;
  summary: string;
}): View {
  return {
    type: "modal",
    callback_id: INCIDENT_VIEWS.resolve,
    private_metadata: incidentValue(m.incidentId),
    title: plain(`Resolve incident #${m.incidentId}`, 24),
    submit: plain("Resolve", 24),
    close: plain("Cancel", 24),
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: `${m.severity} on *${userText(m.agentName, 200)}*: ${userText(m.summary, 600)}`,
        },
      },
      {
        type: "input",
        block_id: RESOLVE_FIELDS.resolution,
        label: plain("Resolution summary", 2000),
        hint: plain(
          "What was done and the state the agent is left in. Resolving opens the post-incident review.",
          2000,
        ),
        element: { type: "plain_text_input", action_id: INPUT_ACTION, multiline: true, max_length: TEXT_MAX },
      },
    ],
  };
}
