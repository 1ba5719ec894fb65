import { and, eq } from "drizzle-orm";
import { agentStatusDm } from "../../../blocks/incident/notices.ts";
import type { Tx } from "../../db/client.ts";
import { type AgentRow, agents } from "../../db/schema/index.ts";
import { type AgentState, type AgentStatus, agentTransition, type Tier } from "../../domain/approval.ts";
import type { Actor } from "../audit/append.ts";
import type { Deps } from "../deps.ts";
import { type Effects, enqueueOutbox } from "../effects.ts";

/**
 * Suspending and restoring an agent from an incident. Both go through the
 * inventory lifecycle (agentTransition) and a conditional update on the
 * status read under the row lock, in the caller's transaction, so the
 * runtime policy check sees the new status the moment it commits.
 *
 * Decision: a `proposed` agent is not suspended. The lifecycle refuses it
 * (suspension is for authorised agents), and the policy API already denies a
 * proposed agent everything (agentRuntimeStatus → not_authorised); marking it
 * suspended would make a later restore claim an approval that never happened.
 * An `approved` (never marked deployed) agent is suspended: it may be running.
 */
export function agentStateOf(row: AgentRow): AgentState {
  const tier = (row.riskTier && row.riskTier >= 1 && row.riskTier <= 4 ? row.riskTier : 4) as Tier;
  return {
    status: row.status as AgentStatus,
    tier,
    approvedAt: row.approvalDate,
    deployedAt: row.deployedAt,
    suspendedAt: row.suspendedAt,
    suspendedReason: row.suspendedReason,
    decommissionedAt: null,
  };
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;

async function notifyOwners(tx: Tx, fx: Effects, agent: AgentRow, status: string, reason: string) {
  const owners = [...new Set([agent.businessOwner, agent.technicalOwner])].filter((o) => USER_ID.test(o));
  for (const user of owners) {
    await enqueueOutbox(tx, fx, { op: "dm", user, message: agentStatusDm(agent.name, status, reason) });
  }
}

export type SuspendOutcome = { done: true; agent: AgentRow } | { done: false; why: string };

export async function suspendAgent(
  tx: Tx,
  fx: Effects,
  deps: Deps,
  o: { agent: AgentRow; reason: string; actor: Actor; now: Date; incidentId: number },
): Promise<SuspendOutcome> {
  const t = agentTransition(
    agentStateOf(o.agent),
    { type: "suspend", by: "incident", reason: o.reason },
    o.now,
  );
  if (!t.ok) return { done: false, why: t.reason };
  const [row] = await tx
    .update(agents)
    .set({ status: "suspended", suspendedAt: o.now, suspendedReason: o.reason, updatedAt: o.now })
    .where(and(eq(agents.id, o.agent.id), eq(agents.status, o.agent.status)))
    .returning();
  if (!row) return { done: false, why: "the agent's status changed meanwhile" };
  const common = { agentId: o.agent.id, actor: o.actor, at: o.now };
  await deps.audit.appendBatch(tx, [
    {
      ...common,
      type: "agent_suspended",
      data: { incidentId: o.incidentId, from: o.agent.status, reason: o.reason },
    },
    {
      ...common,
      type: "security_control_activated",
      data: { control: "agent_suspended", incidentId: o.incidentId },
    },
  ]);
  await notifyOwners(tx, fx, o.agent, "suspended", o.reason);
  return { done: true, agent: row };
}

/** Back to deployed, or to approved if it was never marked deployed. */
export async function restoreAgent(
  tx: Tx,
  fx: Effects,
  deps: Deps,
  o: { agent: AgentRow; reason: string; actor: Actor; now: Date; incidentId: number },
): Promise<AgentStatus | null> {
  const t = agentTransition(
    agentStateOf(o.agent),
    { type: "restore", by: "quorum", reason: o.reason },
    o.now,
  );
  if (!t.ok) return null;
  const [row] = await tx
    .update(agents)
    .set({ status: t.state.status, suspendedAt: null, suspendedReason: null, updatedAt: o.now })
    .where(and(eq(agents.id, o.agent.id), eq(agents.status, "suspended")))
    .returning({ id: agents.id });
  if (!row) return null;
  await deps.audit.append(tx, {
    type: "agent_restored",
    agentId: o.agent.id,
    actor: o.actor,
    data: { incidentId: o.incidentId, to: t.state.status, reason: o.reason },
    at: o.now,
  });
  await notifyOwners(tx, fx, o.agent, t.state.status, o.reason);
  return t.state.status;
}
