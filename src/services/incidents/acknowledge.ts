import { and, eq, isNull } from "drizzle-orm";
import { slackDate } from "../../../blocks/incident/format.ts";
import { findIncident } from "../../db/queries/incidents.ts";
import { incidents } from "../../db/schema/index.ts";
import { GovernorError } from "../../domain/errors.ts";
import { incidentTransition } from "../../domain/incident.ts";
import type { Deps } from "../deps.ts";
import { cancelDeadlines } from "../effects.ts";
import { inTransaction } from "../run.ts";
import { INCIDENT_KINDS, INCIDENT_SUBJECT, incidentState, refusalError } from "./context.ts";
import { addTimeline, refreshPage } from "./page.ts";

function alreadyAcknowledged(by: string | null, at: Date | null): GovernorError {
  const who = by && /^[UW][A-Z0-9]{2,}$/.test(by) ? `<@${by}>` : "someone";
  return new GovernorError(
    "conflict",
    `Already acknowledged by ${who} at ${at ? slackDate(at) : "an earlier time"}.`,
  );
}

/**
 * Records who acknowledged the page and when, exactly once: the update is
 * conditional on acknowledged_at IS NULL, so of two clicks at the same
 * instant one wins and the other gets "already acknowledged by …".
 * Cancels the pending re-pages.
 */
export async function acknowledgeIncident(
  deps: Deps,
  actor: { slackUser: string },
  input: { incidentId: number },
): Promise<{ acknowledgedAt: Date }> {
  return inTransaction(deps, async (tx, fx) => {
    const current = await findIncident(tx, input.incidentId);
    if (!current) throw new GovernorError("not_found", `There is no incident #${input.incidentId}.`);
    const now = deps.now();
    const t = incidentTransition(
      await incidentState(tx, current, deps.config),
      { type: "acknowledge", by: actor.slackUser },
      now,
    );
    if (!t.ok) {
      if (current.acknowledgedAt) throw alreadyAcknowledged(current.acknowledgedBy, current.acknowledgedAt);
      throw refusalError(t);
    }
    const [row] = await tx
      .update(incidents)
      .set({ status: "acknowledged", acknowledgedBy: actor.slackUser, acknowledgedAt: now })
      .where(
        and(eq(incidents.id, current.id), eq(incidents.status, "declared"), isNull(incidents.acknowledgedAt)),
      )
      .returning();
    if (!row) {
      // Someone else's acknowledgement (or a resolve) committed between our read and our update.
      const winner = await findIncident(tx, current.id);
      if (winner?.acknowledgedAt) throw alreadyAcknowledged(winner.acknowledgedBy, winner.acknowledgedAt);
      throw new GovernorError(
        "conflict",
        `Incident #${current.id} changed meanwhile; look at the page again.`,
      );
    }
    await cancelDeadlines(tx, fx, INCIDENT_SUBJECT, row.id, [INCIDENT_KINDS.repage]);
    await deps.audit.append(tx, {
      type: "incident_acknowledged",
      agentId: row.agentId,
      actor,
      data: {
        incidentId: row.id,
        responseMs: now.getTime() - row.declaredAt.getTime(),
        withinSla: now <= row.responseDueAt,
      },
      at: now,
    });
    await refreshPage(tx, fx, deps, row.id);
    await addTimeline(tx, fx, row.id, `:large_orange_circle: Acknowledged by <@${actor.slackUser}>.`);
    return { acknowledgedAt: now };
  });
}
