import type { KnownBlock } from "@slack/types";
import { escapeMrkdwn, plainText, truncate } from "../../src/domain/slack-text.ts";
import { day, mention, statusLabel, TIER_LABEL } from "./format.ts";
import type { SlackMessageOut } from "./messages.ts";

/** The incident flow's action id (src/slack/ids/incident.ts), kept literal so blocks/ imports no transport code. */
export const DECLARE_INCIDENT_ACTION = "incident_declare_for_agent";

/** One line of the inventory (the governance record's fields, framework names). */
export interface InventoryRow {
  agent_name: string;
  risk_tier: string | null;
  status: string;
  approval_status: string;
  business_owner: string;
  next_review_date: string | null;
}

export interface InventoryRecordModel extends InventoryRow {
  agent_id: string;
  technical_owner: string;
  data_steward: string | null;
  security_reviewer: string | null;
  compliance_reviewer: string | null;
  approval_date: string | null;
  deployment_environment: string;
  user_population: string;
  deployed_at: string | null;
  suspended_reason: string | null;
  current_adr_id: number | null;
  versions: {
    adr_id: number;
    version: number;
    adr_version: string;
    status: string;
    tier: number;
    score: number;
    tier_reasons: string[];
    requester: string;
    submitted_at: string;
  }[];
}

const LINES_PER_SECTION = 8;
const MAX_SECTIONS = 40;
const MAX_VERSIONS = 20;

const tierText = (tier: string | number | null): string =>
  tier === null ? "tier not set" : (TIER_LABEL[Number(tier)] ?? `Tier ${escapeMrkdwn(String(tier))}`);

function inventoryLine(a: InventoryRow): string {
  return truncate(
    `*${escapeMrkdwn(a.agent_name)}* · ${tierText(a.risk_tier)} · ${escapeMrkdwn(a.status)} (${escapeMrkdwn(a.approval_status)}) · owner ${mention(a.business_owner)} · next review ${day(a.next_review_date)}`,
    370,
  );
}

/** `/agent-inventory`: every agent with its tier, status, owner and next review. */
export function inventoryListMessage(rows: readonly InventoryRow[]): SlackMessageOut {
  if (rows.length === 0) {
    return {
      text: "The inventory is empty.",
      blocks: [
        {
          type: "section",
          text: { type: "mrkdwn", text: "No agents in the inventory yet. `/agent-request` proposes one." },
        },
      ],
    };
  }
  const blocks: KnownBlock[] = [
    { type: "header", text: { type: "plain_text", text: `AI agent inventory (${rows.length})` } },
  ];
  const shown = rows.slice(0, LINES_PER_SECTION * MAX_SECTIONS);
  for (let i = 0; i < shown.length; i += LINES_PER_SECTION) {
    const text = shown
      .slice(i, i + LINES_PER_SECTION)
      .map(inventoryLine)
      .join("\n");
    blocks.push({ type: "section", text: { type: "mrkdwn", text: truncate(text, 3000) } });
  }
  const more = rows.length - shown.length;
  const hint = `${more > 0 ? `… and ${more} more (\`agov inventory\` lists them all). ` : ""}\`/agent-inventory NAME\` shows one record.`;
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: hint }] });
  return { text: `AI agent inventory: ${rows.length} agents`, blocks };
}

/** `/agent-inventory NAME`: the governance record, why its tier, and the history of its requests. */
export function agentRecordMessage(r: InventoryRecordModel): SlackMessageOut {
  const field = (label: string, value: string) => ({
    type: "mrkdwn" as const,
    text: truncate(`*${label}*\n${value}`, 2000),
  });
  const current = r.versions.find((v) => v.adr_id === r.current_adr_id) ?? r.versions[0];
  const blocks: KnownBlock[] = [
    { type: "header", text: { type: "plain_text", text: plainText(r.agent_name, 150) } },
    {
      type: "section",
      fields: [
        field("Status", escapeMrkdwn(r.status)),
        field("Approval", escapeMrkdwn(r.approval_status)),
        field("Risk tier", tierText(r.risk_tier)),
        field("Environment", escapeMrkdwn(r.deployment_environment)),
        field("Users", escapeMrkdwn(r.user_population)),
        field("Business owner", mention(r.business_owner)),
        field("Technical owner", mention(r.technical_owner)),
        field("Data steward", mention(r.data_steward)),
        field("Security reviewer", mention(r.security_reviewer)),
        field("Compliance reviewer", mention(r.compliance_reviewer)),
      ],
    },
    {
      type: "section",
      fields: [
        field("Approved", day(r.approval_date)),
        field("Next review", day(r.next_review_date)),
        field("Deployed", day(r.deployed_at)),
        field("Agent id", escapeMrkdwn(r.agent_id)),
      ],
    },
  ];
  if (r.suspended_reason) {
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: truncate(`*Suspended:* ${escapeMrkdwn(r.suspended_reason)}`, 3000) },
    });
  }
  if (current) {
    const reasons = current.tier_reasons.map((t) => `• ${escapeMrkdwn(t)}`).join("\n") || "• no risk factor";
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: truncate(
          `*Why tier ${current.tier} (score ${current.score}, request ${current.version}):*\n${reasons}`,
          3000,
        ),
      },
    });
  }
  // Newest first, as many as fit one section; the rest are counted.
  const lines: string[] = [];
  let length = 0;
  for (const v of r.versions.slice(0, MAX_VERSIONS)) {
    const line = `• *Request ${v.version}* (${escapeMrkdwn(truncate(v.adr_version, 30))}): ${statusLabel(v.status)} · ${tierText(v.tier)} · submitted ${day(v.submitted_at)} by ${mention(v.requester)} · #${v.adr_id}`;
    if (length + line.length > 2800) break;
    lines.push(line);
    length += line.length + 1;
  }
  const earlier = r.versions.length - lines.length;
  if (earlier > 0) lines.push(`… and ${earlier} earlier (\`agov inventory --json\` has them all)`);
  blocks.push({
    type: "section",
    text: { type: "mrkdwn", text: truncate(`*Versions*\n${lines.join("\n") || "none"}`, 3000) },
  });
  if (r.status !== "decommissioned") {
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: DECLARE_INCIDENT_ACTION,
          text: { type: "plain_text", text: "Declare incident" },
          style: "danger",
          value: String(r.agent_id),
        },
      ],
    });
  }
  return { text: `Governance record of ${escapeMrkdwn(r.agent_name)}`, blocks };
}

/** No agent by that name: the name is echoed escaped. */
export function agentNotFoundMessage(name: string): SlackMessageOut {
  const shown = escapeMrkdwn(truncate(name, 100));
  return {
    text: `No agent is named ${shown}.`,
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: `No agent is named *${shown}*. \`/agent-inventory\` lists them all.` },
      },
    ],
  };
}
