import type { DeclareFormModel } from "../../../blocks/incident/declare-modal.ts";
import { declarableAgents, findAgent, findAgentByName } from "../../db/queries/incidents.ts";
import { GovernorError } from "../../domain/errors.ts";
import { SEVERITIES, type Severity } from "../../domain/incident.ts";
import type { Deps } from "../deps.ts";
import { responseSlaMs } from "./context.ts";

/**
 * What the declaration modal offers: agents not decommissioned, by name, at
 * most 100 (static_select's limit; past that the hint points to
 * `/agent-incident NAME`), one of them chosen when asked. A read only: the
 * declaration re-checks everything.
 */
const SELECT_MAX = 100;

export async function loadDeclareForm(
  deps: Deps,
  _actor: { slackUser: string },
  input: { agentId?: number; agentName?: string },
): Promise<DeclareFormModel> {
  const rows = await declarableAgents(deps.db, SELECT_MAX + 1);
  const agents = rows.slice(0, SELECT_MAX);
  let preselected: { id: number; name: string; status: string } | null = null;
  if (input.agentId !== undefined || input.agentName) {
    const agent =
      input.agentId !== undefined
        ? await findAgent(deps.db, input.agentId)
        : await findAgentByName(deps.db, input.agentName ?? "");
    if (!agent)
      throw new GovernorError(
        "not_found",
        "That agent is not in the inventory. Try `/agent-inventory` for the list.",
      );
    if (agent.status === "decommissioned") {
      throw new GovernorError("conflict", "That agent is decommissioned: no incident can be declared on it.");
    }
    preselected = { id: agent.id, name: agent.name, status: agent.status };
    // An agent past the first 100 takes the last place, so it can still be chosen.
    if (!agents.some((a) => a.id === agent.id)) agents.splice(SELECT_MAX - 1, 1, preselected);
  }
  if (!agents.length) {
    throw new GovernorError(
      "not_found",
      "The inventory has no agents yet, so there is nothing to declare an incident on.",
    );
  }
  const sla = Object.fromEntries(SEVERITIES.map((s) => [s, responseSlaMs(deps.config, s)])) as Record<
    Severity,
    number
  >;
  return {
    agents,
    truncated: rows.length > SELECT_MAX,
    preselectedAgentId: preselected?.id ?? null,
    responseSlaMs: sla,
  };
}
