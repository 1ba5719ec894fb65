import type { DbOrTx } from "../../db/client.ts";
import { type AdrVersion, adrVersions, findAgentByNameKey, listAgents } from "../../db/queries/inventory.ts";
import type { AgentRow } from "../../db/schema/index.ts";
import { agentNameKey } from "../../domain/adr-intake.ts";
import { reasonTexts } from "./status-message.ts";

/**
 * The framework's AgentGovernanceRecord (its field names), plus the
 * lifecycle status and dates the governor tracks beside it.
 */
export interface GovernanceRecord {
  agent_id: string;
  agent_name: string;
  business_owner: string;
  technical_owner: string;
  data_steward: string | null;
  security_reviewer: string | null;
  compliance_reviewer: string | null;
  approval_status: string;
  approval_date: string | null;
  next_review_date: string | null;
  risk_tier: string | null;
  deployment_environment: string;
  user_population: string;
  status: string;
  deployed_at: string | null;
  suspended_at: string | null;
  suspended_reason: string | null;
  current_adr_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface AdrVersionView {
  adr_id: number;
  version: number;
  adr_version: string;
  status: string;
  tier: number;
  computed_tier: number;
  score: number;
  tier_reasons: string[];
  requester: string;
  submitted_at: string;
  content_hash: string;
  security_assessed_at: string | null;
  decided_at: string | null;
  outcome: string | null;
  /** The ADR as submitted (earlier versions stay readable). */
  adr: unknown;
  security_assessment: unknown;
}

export interface InventoryRecord extends GovernanceRecord {
  versions: AdrVersionView[];
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export function governanceRecord(a: AgentRow): GovernanceRecord {
  return {
    agent_id: String(a.id),
    agent_name: a.name,
    business_owner: a.businessOwner,
    technical_owner: a.technicalOwner,
    data_steward: a.dataSteward,
    security_reviewer: a.securityReviewer,
    compliance_reviewer: a.complianceReviewer,
    approval_status: a.approvalStatus,
    approval_date: iso(a.approvalDate),
    next_review_date: iso(a.nextReviewDate),
    risk_tier: a.riskTier === null ? null : String(a.riskTier),
    deployment_environment: a.deploymentEnvironment,
    user_population: a.userPopulation,
    status: a.status,
    deployed_at: iso(a.deployedAt),
    suspended_at: iso(a.suspendedAt),
    suspended_reason: a.suspendedReason,
    current_adr_id: a.currentAdrId,
    created_at: a.createdAt.toISOString(),
    updated_at: a.updatedAt.toISOString(),
  };
}

function versionView(v: AdrVersion): AdrVersionView {
  const meta = (v.content as { agent_metadata?: { version?: unknown } } | null)?.agent_metadata;
  return {
    adr_id: v.id,
    version: v.version,
    adr_version: typeof meta?.version === "string" ? meta.version : "",
    status: v.status,
    tier: v.tier,
    computed_tier: v.computedTier,
    score: v.score,
    tier_reasons: reasonTexts(v.tierReasons),
    requester: v.requester,
    submitted_at: v.submittedAt.toISOString(),
    content_hash: v.contentHash,
    security_assessed_at: iso(v.assessedAt),
    decided_at: iso(v.decidedAt),
    outcome: v.outcome,
    adr: v.content,
    security_assessment: v.securityAssessment,
  };
}

/** Every agent's governance record, by name. */
export async function listInventory(db: DbOrTx): Promise<GovernanceRecord[]> {
  return (await listAgents(db)).map(governanceRecord);
}

/** One agent (name compared case-insensitively) with every version of its ADR, newest first. */
export async function findInventoryRecord(db: DbOrTx, name: string): Promise<InventoryRecord | undefined> {
  const agent = await findAgentByNameKey(db, agentNameKey(name));
  if (!agent) return undefined;
  return { ...governanceRecord(agent), versions: (await adrVersions(db, agent.id)).map(versionView) };
}

/** The whole inventory with every ADR version (agov inventory --json). */
export async function exportInventory(db: DbOrTx): Promise<InventoryRecord[]> {
  const out: InventoryRecord[] = [];
  for (const agent of await listAgents(db)) {
    out.push({ ...governanceRecord(agent), versions: (await adrVersions(db, agent.id)).map(versionView) });
  }
  return out;
}
