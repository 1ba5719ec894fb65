import type { Severity } from "./incident-severity.ts";
import { stripControl } from "./slack-text.ts";

/**
 * The framework's PostIncidentReview as a record: its fields, the rules a
 * submitted review must meet, and its Markdown export. Field paths are the
 * dotted paths the modal's block_ids use, so validation errors land on the
 * exact input.
 */
export const INCIDENT_PATHS = {
  agent: "incident.agent",
  severity: "incident.severity",
  summary: "incident.summary",
  observed: "incident.observed",
  resolution: "incident.resolution",
} as const;

export const FIVE_WHYS = 5;
export const MAX_REMEDIATION_ACTIONS = 5;

export const PIR_PATHS = {
  rootCause: "pir.root_cause",
  why: (n: number) => `pir.why_${n}`,
  contributingFactors: "pir.contributing_factors",
  affectedScope: "pir.affected_scope",
  controlsWorked: "pir.controls_that_worked",
  controlsFailed: "pir.controls_that_failed",
  actionDescription: (n: number) => `pir.action_${n}.description`,
  actionOwner: (n: number) => `pir.action_${n}.owner`,
  actionDeadline: (n: number) => `pir.action_${n}.deadline`,
  processImprovements: "pir.governance_process_improvements",
  policyChanges: "pir.policy_changes_recommended",
} as const;

/** Longest free text accepted in any field (Slack's plain_text_input maximum). */
export const TEXT_MAX = 3000;
export const SUMMARY_MAX = 300;

export type RemediationAction = { description: string; owner: string; deadline: string };
export type TimelineEvent = { at: string; event: string };

export interface PostIncidentReviewContent {
  rootCause: string;
  fiveWhys: string[];
  contributingFactors: string;
  affectedScope: string;
  controlsThatWorked: string;
  controlsThatFailed: string;
  remediationActions: RemediationAction[];
  governanceProcessImprovements: string;
  policyChangesRecommended: string;
  /** Reconstructed from the agent's audit chain between declaration and resolution. */
  timeline: TimelineEvent[];
}

/** What the modal gave, each value as typed (null when left empty). */
export interface ReviewDraft {
  rootCause: string | null;
  whys: (string | null)[];
  contributingFactors: string | null;
  affectedScope: string | null;
  controlsThatWorked: string | null;
  controlsThatFailed: string | null;
  actions: { description: string | null; owner: string | null; deadline: string | null }[];
  governanceProcessImprovements: string | null;
  policyChangesRecommended: string | null;
}

export type ReviewValidation =
  | { ok: true; review: Omit<PostIncidentReviewContent, "timeline"> }
  | { ok: false; errors: Record<string, string> };

const clean = (s: string | null | undefined): string => stripControl(s ?? "").trim();

/**
 * Root cause, the first why and the affected scope are required; a
 * remediation row is all-or-nothing (description, owner, deadline) and its
 * deadline is today or later (`today` is YYYY-MM-DD in the committee's zone).
 */
export function validateReview(draft: ReviewDraft, today: string): ReviewValidation {
  const errors: Record<string, string> = {};
  const text = (path: string, value: string | null, required: boolean): string => {
    const v = clean(value);
    if (required && !v) errors[path] = "Required.";
    else if (v.length > TEXT_MAX) errors[path] = `At most ${TEXT_MAX} characters.`;
    return v;
  };
  const rootCause = text(PIR_PATHS.rootCause, draft.rootCause, true);
  const fiveWhys: string[] = [];
  for (let n = 1; n <= FIVE_WHYS; n++) {
    const v = text(PIR_PATHS.why(n), draft.whys[n - 1] ?? null, n === 1);
    if (v) fiveWhys.push(v);
  }
  const remediationActions: RemediationAction[] = [];
  draft.actions.slice(0, MAX_REMEDIATION_ACTIONS).forEach((row, i) => {
    const n = i + 1;
    const description = clean(row.description);
    const owner = clean(row.owner);
    const deadline = clean(row.deadline);
    if (!description && !owner && !deadline) return;
    if (!description) errors[PIR_PATHS.actionDescription(n)] = "Describe the action, or clear this row.";
    else if (description.length > TEXT_MAX)
      errors[PIR_PATHS.actionDescription(n)] = `At most ${TEXT_MAX} characters.`;
    if (!/^[UW][A-Z0-9]{2,}$/.test(owner)) errors[PIR_PATHS.actionOwner(n)] = "Choose who owns this action.";
    if (!/^\d{4}-\d{2}-\d{2}$/.test(deadline)) errors[PIR_PATHS.actionDeadline(n)] = "Pick a deadline.";
    else if (deadline < today) errors[PIR_PATHS.actionDeadline(n)] = "The deadline cannot be in the past.";
    remediationActions.push({ description, owner, deadline });
  });
  const review = {
    rootCause,
    fiveWhys,
    contributingFactors: text(PIR_PATHS.contributingFactors, draft.contributingFactors, false),
    affectedScope: text(PIR_PATHS.affectedScope, draft.affectedScope, true),
    controlsThatWorked: text(PIR_PATHS.controlsWorked, draft.controlsThatWorked, false),
    controlsThatFailed: text(PIR_PATHS.controlsFailed, draft.controlsThatFailed, false),
    remediationActions,
    governanceProcessImprovements: text(
      PIR_PATHS.processImprovements,
      draft.governanceProcessImprovements,
      false,
    ),
    policyChangesRecommended: text(PIR_PATHS.policyChanges, draft.policyChangesRecommended, false),
  };
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, review };
}

export interface ReviewedIncident {
  id: number;
  severity: Severity;
  agentName: string;
  summary: string;
  declaredAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  resolution: string | null;
  completedAt: Date | null;
}

/** One line per item: free text is written one item a line in the modal. */
const bullets = (s: string): string =>
  s
    ? s
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)
        .map((l) => `- ${l}`)
        .join("\n")
    : "_None recorded._";

const iso = (d: Date | null): string => (d ? d.toISOString() : "—");

/** The review as a Markdown document, for `agov pir export`. */
export function reviewMarkdown(incident: ReviewedIncident, review: PostIncidentReviewContent): string {
  const line = (s: string) => clean(s).replace(/\n+/g, " ");
  const out = [
    `# Post-incident review: incident #${incident.id} (${incident.severity})`,
    "",
    `- **Agent:** ${line(incident.agentName)}`,
    `- **Summary:** ${line(incident.summary)}`,
    `- **Declared:** ${iso(incident.declaredAt)}`,
    `- **Acknowledged:** ${iso(incident.acknowledgedAt)}`,
    `- **Resolved:** ${iso(incident.resolvedAt)}`,
    `- **Resolution:** ${line(incident.resolution ?? "—")}`,
    `- **Review completed:** ${iso(incident.completedAt)}`,
    "",
    "## Timeline",
    "",
    review.timeline.length
      ? review.timeline.map((e) => `- ${e.at} ${e.event}`).join("\n")
      : "_No audit entries in the incident window._",
    "",
    "## Root cause",
    "",
    clean(review.rootCause),
    "",
    "## Five whys",
    "",
    review.fiveWhys.map((w, i) => `${i + 1}. ${line(w)}`).join("\n"),
    "",
    "## Contributing factors",
    "",
    bullets(review.contributingFactors),
    "",
    "## Affected scope",
    "",
    clean(review.affectedScope),
    "",
    "## Controls that worked",
    "",
    bullets(review.controlsThatWorked),
    "",
    "## Controls that failed",
    "",
    bullets(review.controlsThatFailed),
    "",
    "## Remediation actions",
    "",
    review.remediationActions.length
      ? [
          "| Action | Owner | Deadline |",
          "|---|---|---|",
          ...review.remediationActions.map(
            (a) => `| ${line(a.description).replace(/\|/g, "\\|")} | ${a.owner} | ${a.deadline} |`,
          ),
        ].join("\n")
      : "_None._",
    "",
    "## Governance process improvements",
    "",
    bullets(review.governanceProcessImprovements),
    "",
    "## Policy changes recommended",
    "",
    bullets(review.policyChangesRecommended),
    "",
  ];
  return out.join("\n");
}
