import { findAgent, findIncident, findReview } from "../db/queries/incidents.ts";
import { isSeverity } from "../domain/incident.ts";
import { type PostIncidentReviewContent, reviewMarkdown } from "../domain/post-incident-review.ts";
import type { CliCommand } from "./commands.ts";
import { withDatabase } from "./db.ts";

const USAGE = "usage: agov pir export INCIDENT_ID   (writes the completed post-incident review as Markdown)";

/** `agov pir export ID`: the completed review as Markdown on stdout (exit 1 when there is none). */
export const pirExport: CliCommand = {
  summary: "print an incident's post-incident review as Markdown",
  async run(args, io, env) {
    const [raw, ...extra] = args;
    const id = raw && /^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : Number.NaN;
    if (extra.length || !Number.isSafeInteger(id) || id > 2_147_483_647) {
      io.err(USAGE);
      return 2;
    }
    return withDatabase(env(), async ({ db }) => {
      const review = await findReview(db, id);
      const incident = await findIncident(db, id);
      if (!review || !incident) {
        io.err(`no post-incident review for incident ${id}`);
        return 1;
      }
      if (review.status !== "completed" || !review.content) {
        io.err(`the post-incident review for incident ${id} is not completed yet`);
        return 1;
      }
      const agent = await findAgent(db, incident.agentId);
      const severity = isSeverity(incident.severity) ? incident.severity : "SEV1";
      const markdown = reviewMarkdown(
        {
          id,
          severity,
          agentName: agent?.name ?? `agent ${incident.agentId}`,
          summary: incident.summary,
          declaredAt: incident.declaredAt,
          acknowledgedAt: incident.acknowledgedAt,
          resolvedAt: incident.resolvedAt,
          resolution: incident.resolution,
          completedAt: review.completedAt,
        },
        review.content as PostIncidentReviewContent,
      );
      io.write(markdown);
      return 0;
    });
  },
};
