import { isSeverity, type QuorumChoice, type Severity } from "../../domain/incident.ts";
import { z } from "zod";
import {
  FIVE_WHYS,
  INCIDENT_PATHS,
  MAX_REMEDIATION_ACTIONS,
  PIR_PATHS,
  type ReviewDraft,
} from "../../domain/post-incident-review.ts";

/**
 * Action, callback and block ids of agent incidents, the emergency quorum and
 * the post-incident review, and the values they carry. A value only names the
 * subject; handlers always re-read its state and never trust it for more.
 */
export const INCIDENT_ACTIONS = {
  /** On the agent's inventory view; value = the agent id (see agentValue). */
  declareForAgent: "incident_declare_for_agent",
  acknowledge: "incident_acknowledge",
  escalate: "incident_escalate",
  resolve: "incident_resolve",
  changeSeverity: "incident_change_severity",
  checklist: "incident_checklist",
  convene: "incident_convene_quorum",
  startReview: "incident_start_review",
} as const;

export const INCIDENT_VIEWS = {
  declare: "incident_declare_modal",
  resolve: "incident_resolve_modal",
  review: "incident_review_modal",
} as const;

/** Input block ids: the dotted path of the field each fills (defined with the rules in the domain). */
export const DECLARE_FIELDS = {
  agent: INCIDENT_PATHS.agent,
  severity: INCIDENT_PATHS.severity,
  summary: INCIDENT_PATHS.summary,
  observed: INCIDENT_PATHS.observed,
} as const;
export const RESOLVE_FIELDS = { resolution: INCIDENT_PATHS.resolution } as const;
export const REVIEW_FIELDS = PIR_PATHS;
export const MAX_REVIEW_ACTIONS = MAX_REMEDIATION_ACTIONS;
export const WHY_COUNT = FIVE_WHYS;

/** The one action id inside every input block of these modals. */
export const INPUT_ACTION = "value";

const QUORUM_VOTE_PREFIX = "quorum_vote_";
export const quorumVoteActionId = (choice: QuorumChoice): string => `${QUORUM_VOTE_PREFIX}${choice}`;
/** Bolt matcher for the three vote buttons. */
export const QUORUM_VOTE_ACTION = /^quorum_vote_(keep_suspended|restore_service|escalate_to_board)$/;

export function parseQuorumVoteAction(actionId: unknown): QuorumChoice | null {
  if (typeof actionId !== "string") return null;
  const m = QUORUM_VOTE_ACTION.exec(actionId);
  return m ? (m[1] as QuorumChoice) : null;
}

export const incidentValue = (incidentId: number): string => `incident-${incidentId}`;
export const quorumValue = (quorumId: number): string => `quorum-${quorumId}`;
/** The inventory's "Declare incident" button carries the bare agent id. */
export const agentValue = (agentId: number): string => String(agentId);

const MAX_ID = 2_147_483_647;

function toId(digits: string | undefined): number | null {
  const id = digits ? Number(digits) : Number.NaN;
  return Number.isSafeInteger(id) && id >= 1 && id <= MAX_ID ? id : null;
}

function parsePrefixed(prefix: string, value: unknown): number | null {
  if (typeof value !== "string") return null;
  return toId(new RegExp(`^${prefix}-([1-9][0-9]{0,9})$`).exec(value)?.[1]);
}

export const parseIncidentValue = (value: unknown): number | null => parsePrefixed("incident", value);
export const parseQuorumValue = (value: unknown): number | null => parsePrefixed("quorum", value);
export const parseAgentValue = (value: unknown): number | null =>
  typeof value === "string" ? toId(/^([1-9][0-9]{0,9})$/.exec(value)?.[1]) : null;

/** Checklist option values name the incident and the item's index in the framework's list. */
export const checklistValue = (incidentId: number, index: number): string =>
  `incident-${incidentId}-item-${index}`;
export function parseChecklistValue(value: unknown): { incidentId: number; index: number } | null {
  if (typeof value !== "string") return null;
  const m = /^incident-([1-9][0-9]{0,9})-item-([0-9])$/.exec(value);
  const incidentId = toId(m?.[1]);
  return m && incidentId ? { incidentId, index: Number(m[2]) } : null;
}

/** "Change severity" options name the incident and the new severity. */
export const severityChoiceValue = (incidentId: number, severity: Severity): string =>
  `incident-${incidentId}-${severity}`;
export function parseSeverityChoiceValue(value: unknown): { incidentId: number; severity: Severity } | null {
  if (typeof value !== "string") return null;
  const m = /^incident-([1-9][0-9]{0,9})-(SEV[123])$/.exec(value);
  const incidentId = toId(m?.[1]);
  return m && incidentId && isSeverity(m[2]) ? { incidentId, severity: m[2] } : null;
}

// ── reading the incident modals' state ──────────────────────────────────

const stateValue = z.object({
  value: z.string().nullish(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_user: z.string().nullish(),
  selected_date: z.string().nullish(),
});

/** The value of an input block, whatever its element (text, select, radio, user, date); null when empty. */
export function readInput(values: unknown, blockId: string): string | null {
  const block = (values as Record<string, Record<string, unknown>> | undefined)?.[blockId];
  const parsed = stateValue.safeParse(block?.[INPUT_ACTION]);
  if (!parsed.success) return null;
  const v = parsed.data;
  return v.value ?? v.selected_option?.value ?? v.selected_user ?? v.selected_date ?? null;
}

export function readReviewDraft(values: unknown): ReviewDraft {
  const read = (blockId: string) => readInput(values, blockId);
  const whys: (string | null)[] = [];
  for (let n = 1; n <= FIVE_WHYS; n++) whys.push(read(PIR_PATHS.why(n)));
  const actions = [];
  for (let n = 1; n <= MAX_REMEDIATION_ACTIONS; n++) {
    actions.push({
      description: read(PIR_PATHS.actionDescription(n)),
      owner: read(PIR_PATHS.actionOwner(n)),
      deadline: read(PIR_PATHS.actionDeadline(n)),
    });
  }
  return {
    rootCause: read(PIR_PATHS.rootCause),
    whys,
    contributingFactors: read(PIR_PATHS.contributingFactors),
    affectedScope: read(PIR_PATHS.affectedScope),
    controlsThatWorked: read(PIR_PATHS.controlsWorked),
    controlsThatFailed: read(PIR_PATHS.controlsFailed),
    actions,
    governanceProcessImprovements: read(PIR_PATHS.processImprovements),
    policyChangesRecommended: read(PIR_PATHS.policyChanges),
  };
}

/**
 * What one click on the checklist changed: Slack sends the clicker's whole
 * selection; the message they clicked on shows what was ticked before.
 */
export function checklistChange(
  selected: readonly { value?: string | undefined }[],
  shownBefore: readonly { value?: string | undefined }[],
): { incidentId: number | null; ticked: number[]; unticked: number[] } {
  const parse = (opts: readonly { value?: string | undefined }[]) =>
    opts
      .map((o) => parseChecklistValue(o.value))
      .filter((v): v is { incidentId: number; index: number } => !!v);
  const now = parse(selected);
  const before = parse(shownBefore);
  const incidentId = now[0]?.incidentId ?? before[0]?.incidentId ?? null;
  const has = (list: typeof now, i: number) => list.some((x) => x.index === i);
  return {
    incidentId,
    ticked: now.filter((x) => !has(before, x.index)).map((x) => x.index),
    unticked: before.filter((x) => !has(now, x.index)).map((x) => x.index),
  };
}

const checkboxesElement = z.object({
  type: z.literal("checkboxes"),
  action_id: z.string(),
  initial_options: z.array(z.object({ value: z.string() })).optional(),
});
const actionsBlock = z.object({ type: z.literal("actions"), elements: z.array(z.unknown()) });

/** The checklist options a message showed as ticked (its checkboxes' initial_options). */
export function shownChecklist(messageBlocks: unknown): { value: string }[] {
  if (!Array.isArray(messageBlocks)) return [];
  for (const block of messageBlocks) {
    const b = actionsBlock.safeParse(block);
    if (!b.success) continue;
    for (const el of b.data.elements) {
      const e = checkboxesElement.safeParse(el);
      if (e.success && e.data.action_id === INCIDENT_ACTIONS.checklist) return e.data.initial_options ?? [];
    }
  }
  return [];
}
