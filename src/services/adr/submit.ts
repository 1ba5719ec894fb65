import { createHash } from "node:crypto";
import { and, eq, inArray, ne } from "drizzle-orm";
import { assessmentRequestMessage, boardSubmissionMessage } from "../../../blocks/adr/messages.ts";
import type { Tx } from "../../db/client.ts";
import { findAdrBySubmissionKey, lockAgentByNameKey, nextAdrVersion } from "../../db/queries/inventory.ts";
import { type AdrRow, type AgentRow, adrs, agents } from "../../db/schema/index.ts";
import { type Adr, ownerKind } from "../../domain/adr.ts";
import { agentNameKey, separationOfDutiesProblems } from "../../domain/adr-intake.ts";
import { canonicalJson } from "../../domain/canonical-json.ts";
import { GovernorError } from "../../domain/errors.ts";
import { type AdrRiskAssessment, assessAdr } from "../../domain/risk.ts";
import { ADR_IDS, adrStatusRef } from "../../slack/ids/adr.ts";
import type { Deps } from "../deps.ts";
import { cancelDeadlines, type Effects, enqueueOutbox } from "../effects.ts";
import { inTransaction } from "../run.ts";
import { NAME_FIELD, versionRefusal } from "./check-name.ts";
import { deleteAdrDraft } from "./drafts.ts";
import { adrMessageModel, reasonTexts, statusUpdate } from "./status-message.ts";

export interface SubmitAdrInput {
  adr: Adr;
  /** Idempotency: a retried or double-clicked submission carries the same key and gets the same ADR. */
  submissionKey: string;
}

export interface SubmittedAdr {
  adrId: number;
  agentId: number;
  version: number;
  status: string;
  tier: number;
  score: number;
  reasons: string[];
  /** False when the key had already been submitted: nothing new happened. */
  created: boolean;
  supersededAdrIds: number[];
}

/** Pending ADRs are replaced by a newer version of the same agent. */
const PENDING = ["awaiting_security_assessment", "in_review"];
const OWNER_FIELDS = ["business_owner", "technical_owner", "data_steward"] as const;

/**
 * Submits an ADR: classifies it, creates the agent's governance record (or,
 * for a new version by its owner, updates it), stores the ADR as the next
 * version, supersedes a still-pending earlier version, audits, and queues the
 * technical owner's assessment request, the requester's status message and,
 * for tier 4, the board notice. Same submission key twice ⇒ one ADR.
 */
export async function submitAdr(
  deps: Deps,
  actor: { userId: string },
  input: SubmitAdrInput,
): Promise<SubmittedAdr> {
  const known = await findAdrBySubmissionKey(deps.db, input.submissionKey);
  if (known) return resultOf(known, false, []);
  const { adr } = input;
  requireSlackOwners(adr);
  const risk = assessAdr(adr);
  const separation = separationOfDutiesProblems({
    tier: risk.tier,
    requester: actor.userId,
    businessOwner: adr.agent_metadata.business_owner,
    technicalOwner: adr.agent_metadata.technical_owner,
  });
  if (Object.keys(separation).length > 0) {
    throw new GovernorError("validation", Object.values(separation)[0]!, separation);
  }

  return inTransaction(deps, async (tx, fx) => {
    const agent = await claimAgent(tx, deps, adr, risk);
    if (!agent.created) {
      // The agent row is locked now: a concurrent duplicate waited for us and sees our ADR here.
      // (A new agent has no ADR yet; the insert's conflict clause below covers the rest.)
      const duplicate = await findAdrBySubmissionKey(tx, input.submissionKey);
      if (duplicate) return resultOf(duplicate, false, []);
      await mayAddVersion(tx, agent.row, actor.userId);
    }

    const version = agent.created ? 1 : await nextAdrVersion(tx, agent.row.id);
    const [row] = await tx
      .insert(adrs)
      .values({
        agentId: agent.row.id,
        version,
        content: adr,
        contentHash: createHash("sha256").update(canonicalJson(adr), "utf8").digest("hex"),
        computedTier: risk.tier,
        tier: risk.tier,
        score: risk.score,
        tierReasons: risk.reasons,
        requester: actor.userId,
        submissionKey: input.submissionKey,
        submittedAt: deps.now(),
        updatedAt: deps.now(),
      })
      .onConflictDoNothing({ target: adrs.submissionKey })
      .returning();
    if (!row) throw new GovernorError("conflict", "This request was already submitted.");

    if (!agent.created) await updateRecord(tx, deps, agent.row, adr, risk, row.id);
    else await tx.update(agents).set({ currentAdrId: row.id }).where(eq(agents.id, agent.row.id));

    const who = { slackUser: actor.userId };
    // One append for both entries: one lock of the agent's chain, one insert.
    await deps.audit.appendBatch(tx, [
      {
        type: "adr_submitted",
        agentId: agent.row.id,
        actor: who,
        at: deps.now(),
        data: {
          adr_id: row.id,
          version,
          agent_name: adr.agent_metadata.name,
          adr_version: adr.agent_metadata.version,
          content_hash: row.contentHash,
          new_agent: agent.created,
        },
      },
      {
        type: "tier_assigned",
        agentId: agent.row.id,
        actor: who,
        at: deps.now(),
        data: {
          adr_id: row.id,
          tier: risk.tier,
          computed_tier: risk.tier,
          score: risk.score,
          factors: risk.factors,
          factor_source: risk.source,
          reasons: reasonTexts(risk.reasons),
        },
      },
    ]);

    const superseded = agent.created ? [] : await supersedePending(tx, fx, deps, row, actor.userId);
    const model = adrMessageModel(row);
    await enqueueOutbox(tx, fx, {
      op: "post",
      channel: actor.userId,
      ref: adrStatusRef(row.id),
      message: statusUpdate(row).message,
    });
    await enqueueOutbox(tx, fx, {
      op: "dm",
      user: adr.agent_metadata.technical_owner,
      message: assessmentRequestMessage(model, ADR_IDS),
    });
    if (risk.tier === 4) {
      await enqueueOutbox(tx, fx, {
        op: "post",
        channel: deps.config.channels.board,
        message: boardSubmissionMessage(model),
      });
    }
    await deleteAdrDraft(tx, actor.userId);
    return resultOf(row, true, superseded);
  });
}

function resultOf(row: AdrRow, created: boolean, supersededAdrIds: number[]): SubmittedAdr {
  return {
    adrId: row.id,
    agentId: row.agentId,
    version: row.version,
    status: row.status,
    tier: row.tier,
    score: row.score,
    reasons: reasonTexts(row.tierReasons),
    created,
    supersededAdrIds,
  };
}

/** Owners must be Slack users: e-mail owners are resolved at import, and the technical owner gets a DM. */
function requireSlackOwners(adr: Adr): void {
  const fields: Record<string, string> = {};
  for (const key of OWNER_FIELDS) {
    const value = adr.agent_metadata[key];
    if (value !== undefined && ownerKind(value) !== "slack_user") {
      fields[`agent_metadata.${key}`] = "must be a Slack user (choose the person in the form)";
    }
  }
  if (Object.keys(fields).length > 0)
    throw new GovernorError("validation", Object.values(fields)[0]!, fields);
}

/** Creates the agent's record, or finds and locks the existing one of the same name. */
async function claimAgent(
  tx: Tx,
  deps: Deps,
  adr: Adr,
  risk: AdrRiskAssessment,
): Promise<{ row: AgentRow; created: boolean }> {
  const nameKey = agentNameKey(adr.agent_metadata.name);
  const [created] = await tx
    .insert(agents)
    .values({ ...recordFields(adr, risk.tier), nameKey, createdAt: deps.now(), updatedAt: deps.now() })
    .onConflictDoNothing({ target: agents.nameKey })
    .returning();
  if (created) return { row: created, created: true };
  const existing = await lockAgentByNameKey(tx, nameKey);
  if (!existing) throw new GovernorError("conflict", "The inventory changed while you submitted; try again.");
  return { row: existing, created: false };
}

/** A new version of an existing agent: only its business owner or someone who submitted it before. */
async function mayAddVersion(tx: Tx, agent: AgentRow, userId: string): Promise<void> {
  const refusal = await versionRefusal(tx, agent, userId);
  if (refusal) throw new GovernorError("validation", refusal, { [NAME_FIELD]: refusal });
}

function recordFields(adr: Adr, tier: number) {
  const m = adr.agent_metadata;
  return {
    name: m.name,
    businessOwner: m.business_owner,
    technicalOwner: m.technical_owner,
    dataSteward: m.data_steward ?? null,
    riskTier: tier,
    deploymentEnvironment: m.deployment_environment,
    userPopulation: adr.business_justification.user_population,
  };
}

/**
 * The record follows the newest request: owners, steward, environment and
 * population. While the agent is only proposed its tier is the new one; once
 * authorised, the record keeps the higher of the two until the new version
 * is decided (an unreviewed request never lowers a running agent's tier).
 */
async function updateRecord(
  tx: Tx,
  deps: Deps,
  agent: AgentRow,
  adr: Adr,
  risk: AdrRiskAssessment,
  adrId: number,
): Promise<void> {
  const proposed = agent.status === "proposed";
  const tier = proposed ? risk.tier : Math.max(agent.riskTier ?? risk.tier, risk.tier);
  await tx
    .update(agents)
    .set({
      ...recordFields(adr, tier),
      currentAdrId: adrId,
      ...(proposed ? { approvalStatus: "pending" } : {}),
      updatedAt: deps.now(),
    })
    .where(eq(agents.id, agent.id));
}

async function supersedePending(
  tx: Tx,
  fx: Effects,
  deps: Deps,
  newer: AdrRow,
  userId: string,
): Promise<number[]> {
  const old = await tx
    .update(adrs)
    .set({ status: "superseded", updatedAt: deps.now() })
    .where(and(eq(adrs.agentId, newer.agentId), inArray(adrs.status, PENDING), ne(adrs.id, newer.id)))
    .returning();
  for (const row of old) {
    await deps.audit.append(tx, {
      type: "adr_superseded",
      agentId: newer.agentId,
      actor: { slackUser: userId },
      at: deps.now(),
      data: { adr_id: row.id, version: row.version, superseded_by: newer.id },
    });
    // Subject type "adr" is the approval workflow's (SLA timers): a superseded request's clock stops.
    await cancelDeadlines(tx, fx, "adr", row.id);
    await enqueueOutbox(tx, fx, statusUpdate(row));
  }
  return old.map((r) => r.id);
}
