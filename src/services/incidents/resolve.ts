import { and, eq } from "drizzle-orm";
import { reviewInvitation } from "../../../blocks/incident/notices.ts";
import { incidents, postIncidentReviews } from "../../db/schema/index.ts";
import { GovernorError } from "../../domain/errors.ts";
import { incidentTransition } from "../../domain/incident.ts";
import { INCIDENT_PATHS, TEXT_MAX } from "../../domain/post-incident-review.ts";
import { stripControl } from "../../domain/slack-text.ts";
import type { Deps } from "../deps.ts";
import { cancelDeadlines } from "../effects.ts";
import { inTransaction } from "../run.ts";
import { INCIDENT_KINDS, INCIDENT_SUBJECT, incidentState, lockIncident, refusalError } from "./context.ts";
import { addTimeline, refreshPage } from "./page.ts";

/**
 * Resolves the incident with a required summary (an unacknowledged incident
 * counts as acknowledged by the resolver), stops the re-pages and opens the
 * post-incident review: its row, and a "Start review" button in the thread.
 * An emergency quorum still open keeps running: it decides the agent's fate.
 */
export async function resolveIncident(
  deps: Deps,
  actor: { slackUser: string },
  input: { incidentId: number; resolution: string },
): Promise<void> {
  const resolution = stripControl(input.resolution ?? "").trim();
  const field = INCIDENT_PATHS.resolution;
  if (!resolution) {
    throw new GovernorError("validation", "Say how it was resolved.", {
      [field]: "Say how it was resolved.",
    });
  }
  if (resolution.length > TEXT_MAX) {
    throw new GovernorError("validation", "Too long.", { [field]: `At most ${TEXT_MAX} characters.` });
  }
  await inTransaction(deps, async (tx, fx) => {
    const incident = await lockIncident(tx, input.incidentId);
    const now = deps.now();
    const state = await incidentState(tx, incident, deps.config);
    const t = incidentTransition(state, { type: "resolve", by: actor.slackUser, summary: resolution }, now);
    if (!t.ok) throw refusalError(t, field);
    await tx
      .update(incidents)
      .set({
        status: "resolved",
        resolvedBy: actor.slackUser,
        resolvedAt: now,
        resolution,
        acknowledgedBy: t.state.acknowledgedBy,
        acknowledgedAt: t.state.acknowledgedAt,
      })
      .where(and(eq(incidents.id, incident.id), eq(incidents.status, incident.status)));
    await cancelDeadlines(tx, fx, INCIDENT_SUBJECT, incident.id, [INCIDENT_KINDS.repage]);
    await deps.audit.append(tx, {
      type: "incident_resolved",
      agentId: incident.agentId,
      actor,
      data: { incidentId: incident.id, acknowledgedOnResolve: incident.status === "declared" },
      at: now,
    });
    await tx
      .insert(postIncidentReviews)
      .values({ incidentId: incident.id, createdAt: now })
      .onConflictDoNothing();
    await refreshPage(tx, fx, deps, incident.id);
    await addTimeline(tx, fx, incident.id, reviewInvitation(incident.id, actor.slackUser, resolution));
  });
}
