import { incidents } from "../../db/schema/index.ts";
import { findAgent, findIncidentBySubmission } from "../../db/queries/incidents.ts";
import { GovernorError } from "../../domain/errors.ts";
import { declareIncident as declareInDomain, isSeverity, type Severity } from "../../domain/incident.ts";
import { INCIDENT_PATHS, SUMMARY_MAX, TEXT_MAX } from "../../domain/post-incident-review.ts";
import { stripControl } from "../../domain/slack-text.ts";
import type { Deps } from "../deps.ts";
import { scheduleDeadline } from "../effects.ts";
import { inTransaction } from "../run.ts";
import { carryOutAutomaticActions } from "./automation.ts";
import { actorName, INCIDENT_KINDS, INCIDENT_SUBJECT, repageKey, responseSlaMs } from "./context.ts";
import { addTimeline, postPage } from "./page.ts";

/** A person in Slack, or an agent's runtime reporting on itself (the runtime API). */
export type DeclaringActor = { slackUser: string } | { agentRuntime: number };

export interface DeclareIncidentInput {
  agentId: number;
  severity: string;
  summary: string;
  observed?: string | null;
  /** Natural key of the submission (a modal's view id, a runtime's request id): a retry declares nothing new. */
  submissionKey: string;
}

export interface DeclaredIncident {
  incidentId: number;
  /** false when this submission had already declared it. */
  created: boolean;
  severity: Severity;
  agentName: string;
  suspended: boolean;
}

function validate(input: DeclareIncidentInput): {
  severity: Severity;
  summary: string;
  observed: string | null;
} {
  const errors: Record<string, string> = {};
  const summary = stripControl(input.summary ?? "").trim();
  const observed = stripControl(input.observed ?? "").trim();
  if (!summary) errors[INCIDENT_PATHS.summary] = "Say in one line what is happening.";
  else if (summary.length > SUMMARY_MAX)
    errors[INCIDENT_PATHS.summary] = `At most ${SUMMARY_MAX} characters.`;
  if (observed.length > TEXT_MAX) errors[INCIDENT_PATHS.observed] = `At most ${TEXT_MAX} characters.`;
  if (!isSeverity(input.severity)) errors[INCIDENT_PATHS.severity] = "Choose SEV1, SEV2 or SEV3.";
  if (!input.submissionKey || input.submissionKey.length > 200)
    errors.submissionKey = "A submission key is required.";
  const first = Object.values(errors)[0];
  if (first) throw new GovernorError("validation", first, errors);
  return { severity: input.severity as Severity, summary, observed: observed || null };
}

/**
 * Declares an incident: the incident row, its audit entry, the page to
 * on-call (delivered at once by the outbox), the first response check and,
 * for SEV1, the suspension, the CISO's DM, the board notice and the
 * emergency quorum, all in ONE transaction: the runtime policy check sees the
 * agent suspended the moment the declaration commits, and a failure anywhere
 * leaves nothing behind. A repeated submission key returns the first
 * declaration (Slack retries, double clicks, concurrent duplicates).
 */
export async function declareIncident(
  deps: Deps,
  actor: DeclaringActor,
  input: DeclareIncidentInput,
): Promise<DeclaredIncident> {
  const { severity, summary, observed } = validate(input);
  if ("agentRuntime" in actor && actor.agentRuntime !== input.agentId) {
    throw new GovernorError("forbidden", "An agent runtime may only declare incidents about its own agent.");
  }
  return inTransaction(deps, async (tx, fx) => {
    const agent = await findAgent(tx, input.agentId, true);
    if (!agent) {
      const message = `There is no agent with id ${input.agentId}.`;
      throw new GovernorError("not_found", message, { [INCIDENT_PATHS.agent]: message });
    }
    const earlier = await findIncidentBySubmission(tx, input.submissionKey);
    if (earlier) {
      return {
        incidentId: earlier.id,
        created: false,
        severity: earlier.severity as Severity,
        agentName: agent.name,
        suspended: agent.status === "suspended",
      };
    }
    if (agent.status === "decommissioned") {
      const message = `${agent.name} is decommissioned: it can no longer act, so no incident can be declared on it.`;
      throw new GovernorError("validation", message, { [INCIDENT_PATHS.agent]: message });
    }
    const now = deps.now();
    const declared = declareInDomain({ severity, responseSlaMs: responseSlaMs(deps.config, severity) }, now);
    const [incident] = await tx
      .insert(incidents)
      .values({
        agentId: agent.id,
        severity,
        status: "declared",
        summary,
        observed,
        declaredBy: actorName(actor),
        source: "slackUser" in actor ? "slack" : "runtime_api",
        submissionKey: input.submissionKey,
        declaredAt: now,
        responseDueAt: declared.state.responseDueAt,
      })
      .returning();
    if (!incident) throw new Error("incident insert returned nothing");
    await deps.audit.append(tx, {
      type: "incident_declared",
      agentId: agent.id,
      actor,
      data: {
        incidentId: incident.id,
        severity,
        source: incident.source,
        responseDueAt: incident.responseDueAt.toISOString(),
      },
      at: now,
    });
    const notes: string[] = [];
    const after = await carryOutAutomaticActions(tx, fx, deps, {
      incident,
      agent,
      effects: declared.effects,
      actor,
      now,
      declaring: true,
      notes,
    });
    await postPage(tx, fx, deps, incident.id, { incident, agent: after.agent });
    // One reply for all of it: Slack takes about one message a second per channel.
    if (notes.length) await addTimeline(tx, fx, incident.id, notes.join("\n"));
    await scheduleDeadline(tx, fx, {
      key: repageKey(incident.id, 1),
      kind: INCIDENT_KINDS.repage,
      subjectType: INCIDENT_SUBJECT,
      subjectId: incident.id,
      dueAt: incident.responseDueAt,
      data: { n: 1 },
    });
    return {
      incidentId: incident.id,
      created: true,
      severity,
      agentName: agent.name,
      suspended: after.suspended,
    };
  });
}
