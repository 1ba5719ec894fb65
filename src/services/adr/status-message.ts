import { adrStatusMessage, type AdrMessageModel } from "../../../blocks/adr/messages.ts";
import type { AdrRow } from "../../db/schema/index.ts";
import { adrStatusRef } from "../../slack/ids/adr.ts";
import type { OutboxItem } from "../effects.ts";

/**
 * The people-facing model of a stored ADR, read defensively from its row
 * (content was validated at intake, but a reader of old rows must not throw).
 */
export function adrMessageModel(adr: AdrRow): AdrMessageModel {
  const meta = objectAt(adr.content, "agent_metadata");
  const text = (key: string): string => (typeof meta[key] === "string" ? (meta[key] as string) : "");
  return {
    adrId: adr.id,
    agentName: text("name"),
    adrVersion: text("version"),
    version: adr.version,
    status: adr.status,
    tier: adr.tier,
    score: adr.score,
    reasons: reasonTexts(adr.tierReasons),
    requester: adr.requester,
    businessOwner: text("business_owner"),
    technicalOwner: text("technical_owner"),
    submittedAt: adr.submittedAt,
  };
}

/** Re-renders the requester's status message (posted at submission under ref adr-<id>-status). */
export function statusUpdate(adr: AdrRow): OutboxItem {
  return { op: "update", ref: adrStatusRef(adr.id), message: adrStatusMessage(adrMessageModel(adr)) };
}

/** The stored classification reasons ({factor, points, text}[]) as sentences. */
export function reasonTexts(json: unknown): string[] {
  if (!Array.isArray(json)) return [];
  return json.flatMap((r) => {
    if (typeof r === "string") return [r];
    if (typeof r === "object" && r !== null && typeof (r as { text?: unknown }).text === "string") {
      return [(r as { text: string }).text];
    }
    return [];
  });
}

function objectAt(value: unknown, key: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null) return {};
  const inner = (value as Record<string, unknown>)[key];
  return typeof inner === "object" && inner !== null ? (inner as Record<string, unknown>) : {};
}
