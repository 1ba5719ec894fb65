import type { DbOrTx } from "../../db/client.ts";
import { agentRequesters, findAgentByNameKey } from "../../db/queries/inventory.ts";
import type { AgentRow } from "../../db/schema/index.ts";
import { agentNameKey } from "../../domain/adr-intake.ts";
import type { Deps } from "../deps.ts";

export const NAME_FIELD = "agent_metadata.name";

/**
 * Why `userId` may not file a new version of this existing agent, if they
 * may not. A new version is for the same agent: its business owner, or
 * someone who submitted one of its requests before. Anyone else choosing an
 * existing name (compared case-insensitively) is told whose it is.
 */
export async function versionRefusal(
  db: DbOrTx,
  agent: AgentRow,
  userId: string,
): Promise<string | undefined> {
  if (agent.status === "decommissioned") {
    return "an agent with this name was decommissioned; choose another name";
  }
  if (agent.businessOwner === userId) return undefined;
  if ((await agentRequesters(db, agent.id)).includes(userId)) return undefined;
  return `an agent with this name already exists, owned by <@${agent.businessOwner}>`;
}

/** Field errors for the name at the first form step (checked again, under a lock, at submission). */
export async function checkAgentName(
  deps: Pick<Deps, "db">,
  actor: { userId: string },
  name: string,
): Promise<Record<string, string>> {
  const agent = await findAgentByNameKey(deps.db, agentNameKey(name));
  if (!agent) return {};
  const refusal = await versionRefusal(deps.db, agent, actor.userId);
  return refusal ? { [NAME_FIELD]: refusal } : {};
}
