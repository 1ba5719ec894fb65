import { slackDate } from "../../../blocks/incident/format.ts";
import { findAgent, findIncident } from "../../db/queries/incidents.ts";
import { GovernorError } from "../../domain/errors.ts";
import type { Deps } from "../deps.ts";
import { severityOf } from "./context.ts";

/** What the resolution modal shows; an incident already resolved is refused before the modal opens. */
export async function loadResolveForm(
  deps: Deps,
  _actor: { slackUser: string },
  input: { incidentId: number },
) {
  const incident = await findIncident(deps.db, input.incidentId);
  if (!incident) throw new GovernorError("not_found", `There is no incident #${input.incidentId}.`);
  if (incident.status === "resolved") {
    const when = incident.resolvedAt ? slackDate(incident.resolvedAt) : "earlier";
    throw new GovernorError(
      "conflict",
      `Incident #${incident.id} was already resolved by <@${incident.resolvedBy}> at ${when}.`,
    );
  }
  const agent = await findAgent(deps.db, incident.agentId);
  return {
    incidentId: incident.id,
    severity: severityOf(incident),
    agentName: agent?.name ?? "?",
    summary: incident.summary,
  };
}
