import { z } from "zod";
import { SIGN_OFF_ROLE } from "./approval.ts";
import type { Committee } from "./quorum.ts";
import type { Tier } from "./tier-policy.ts";

/**
 * What approvers are shown about a request, read defensively from the stored
 * ADR content (validated at intake, but a reader of old rows must not throw),
 * and who goes on the governance record as its reviewers.
 */
export type AdrSummary = {
  version: string | null;
  dataSteward: string | null;
  tools: { name: string; permissions: string }[];
  data: string[];
  regulatedData: boolean | null;
  externalApiCalls: boolean | null;
};

const summarySchema = z.object({
  agent_metadata: z
    .object({ version: z.string().optional(), data_steward: z.string().optional() })
    .partial()
    .optional()
    .catch(undefined),
  agent_capabilities: z
    .object({
      tools_requested: z.array(z.object({ name: z.string(), permissions: z.string().catch("") })).catch([]),
      data_processed: z.array(z.string()).catch([]),
      regulated_data: z.boolean().optional().catch(undefined),
      external_api_calls: z.boolean().optional().catch(undefined),
    })
    .partial()
    .optional()
    .catch(undefined),
});

export function readAdrSummary(content: unknown): AdrSummary {
  const parsed = summarySchema.safeParse(content);
  const c = parsed.success ? parsed.data : {};
  return {
    version: c.agent_metadata?.version ?? null,
    dataSteward: c.agent_metadata?.data_steward ?? null,
    tools: c.agent_capabilities?.tools_requested ?? [],
    data: c.agent_capabilities?.data_processed ?? [],
    regulatedData: c.agent_capabilities?.regulated_data ?? null,
    externalApiCalls: c.agent_capabilities?.external_api_calls ?? null,
  };
}

const reasonsSchema = z.array(z.union([z.string(), z.object({ text: z.string() })]));

/** The classification's reasons as sentences ("handles regulated data: +2"). */
export function readTierReasons(json: unknown): string[] {
  const parsed = reasonsSchema.safeParse(json);
  if (!parsed.success) return [];
  return parsed.data.map((r) => (typeof r === "string" ? r : r.text));
}

/**
 * The record's security and compliance reviewers from the counted sign-offs:
 * tier 1 the technical owner for both; tier 2 the CISO (security) and the
 * technical owner (compliance, the only other signer); tier 3–4 the chair —
 * else the CISO if they voted as a member — (security) and the co-chair
 * (compliance). Null where that person did not sign.
 */
export function reviewersFromSignOffs(input: {
  tier: Tier;
  signers: readonly { voter: string; roles: readonly string[] }[];
  committee: Committee;
  ciso: string;
}): { securityReviewer: string | null; complianceReviewer: string | null } {
  const withRole = (role: string) => input.signers.find((s) => s.roles.includes(role))?.voter ?? null;
  const voted = (user: string) => (input.signers.some((s) => s.voter === user) ? user : null);
  switch (input.tier) {
    case 1: {
      const owner = withRole(SIGN_OFF_ROLE.technicalOwner);
      return { securityReviewer: owner, complianceReviewer: owner };
    }
    case 2:
      return {
        securityReviewer: withRole(SIGN_OFF_ROLE.ciso),
        complianceReviewer: withRole(SIGN_OFF_ROLE.technicalOwner),
      };
    default: {
      const chair = voted(input.committee.chair);
      return {
        securityReviewer: chair ?? voted(input.ciso),
        complianceReviewer: voted(input.committee.coChair),
      };
    }
  }
}
