import type { KnownBlock } from "@slack/types";

/** The daily anchor, published where the committee (and its archive) keeps it. */
export interface AnchorView {
  anchorHash: string;
  chains: number;
  entries: number;
  /** ISO date-time of the anchor. */
  anchoredAt: string;
}

export function anchorMessage(v: AnchorView): { text: string; blocks: KnownBlock[] } {
  const text = `Audit anchor ${v.anchorHash} (${v.chains} chains, ${v.entries} entries)`;
  return {
    text,
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: `:anchor: *Daily audit anchor*\n\`${v.anchorHash}\`\n${v.chains} chains, ${v.entries} entries, as of ${v.anchoredAt}.`,
        },
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: `Keep this message. \`agov audit verify --anchor ${v.anchorHash}\` proves the audit trail up to this point was not rewritten.`,
          },
        ],
      },
    ],
  };
}

/** One broken chain, already rendered as a line by the domain (no user text in it). */
export interface VerificationAlertView {
  chains: number;
  entries: number;
  brokenChains: number;
  /** One line per broken chain; only the first few are shown. */
  lines: string[];
  /** Slack user id to notify (the CISO). */
  notify?: string;
}

const SHOWN = 10;
const LINE_MAX = 240;

export function verificationAlertMessage(v: VerificationAlertView): { text: string; blocks: KnownBlock[] } {
  const text = `Security alert: audit trail verification failed (${v.brokenChains} of ${v.chains} chains broken)`;
  const shown = v.lines
    .slice(0, SHOWN)
    .map((l) => `• ${l.length > LINE_MAX ? `${l.slice(0, LINE_MAX - 1)}…` : l}`);
  if (v.lines.length > SHOWN) shown.push(`…and ${v.lines.length - SHOWN} more`);
  const cc = v.notify ? ` <@${v.notify}>` : "";
  return {
    text,
    blocks: [
      {
        type: "header",
        text: { type: "plain_text", text: ":rotating_light: Security alert: audit trail tampering detected" },
      },
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: `The nightly verification of ${v.chains} chains (${v.entries} entries checked) found ${v.brokenChains} broken chain(s):\n${shown.join("\n")}`,
        },
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: `Run \`agov audit verify\` for details, and \`agov audit verify --anchor HASH\` against the last anchor posted here.${cc}`,
          },
        ],
      },
    ],
  };
}
