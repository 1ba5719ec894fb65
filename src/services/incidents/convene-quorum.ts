import { findIncident, findQuorumOfIncident } from "../../db/queries/incidents.ts";
import { GovernorError } from "../../domain/errors.ts";
import { isChairOrCoChair } from "../../domain/quorum.ts";
import type { Deps } from "../deps.ts";
import { inTransaction } from "../run.ts";
import { recordAccessDenied } from "./access.ts";
import { agentOf, committeeOf, lockIncident } from "./context.ts";
import { addTimeline, refreshPage } from "./page.ts";
import { openEmergencyQuorum } from "./quorum-open.ts";

/**
 * "Convene emergency quorum" on the page: the chair or co-chair opens the
 * committee's poll on any unresolved incident (SEV1 opens it by itself).
 * Anyone else gets a refusal, audited as access_denied.
 */
export async function conveneEmergencyQuorum(
  deps: Deps,
  actor: { slackUser: string },
  input: { incidentId: number },
): Promise<{ quorumId: number }> {
  if (!isChairOrCoChair(committeeOf(deps.config), actor.slackUser)) {
    const incident = await findIncident(deps.db, input.incidentId);
    await recordAccessDenied(deps, actor, {
      agentId: incident?.agentId ?? null,
      action: "convene_emergency_quorum",
      subject: { incidentId: input.incidentId },
    });
    throw new GovernorError(
      "forbidden",
      "Only the committee chair or co-chair can convene the emergency quorum.",
    );
  }
  return inTransaction(deps, async (tx, fx) => {
    const incident = await lockIncident(tx, input.incidentId);
    if (incident.status === "resolved") {
      throw new GovernorError("conflict", `Incident #${incident.id} is resolved.`);
    }
    const agent = await agentOf(tx, incident, true);
    const notes: string[] = [];
    const now = deps.now();
    const quorumId = await openEmergencyQuorum(tx, fx, deps, {
      incident,
      agent,
      openedBy: actor.slackUser,
      actor,
      now,
      notes,
    });
    if (quorumId === null) {
      const existing = await findQuorumOfIncident(tx, incident.id);
      throw new GovernorError(
        "conflict",
        `The emergency quorum on incident #${incident.id} was already convened (${existing?.status ?? "open"}).`,
      );
    }
    await refreshPage(tx, fx, deps, incident.id);
    await addTimeline(
      tx,
      fx,
      incident.id,
      `:classical_building: <@${actor.slackUser}> convened the emergency quorum.`,
    );
    if (notes.length) await addTimeline(tx, fx, incident.id, notes.join("\n"));
    return { quorumId };
  });
}
