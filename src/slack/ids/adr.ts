/**
 * Callback ids, action ids and private metadata of the ADR intake surfaces
 * (request form, YAML import, draft prompt, security self-assessment).
 * Encoding and parsing live together so they cannot drift apart.
 */
export const ADR_IDS = {
  /** The request form; each step is the same view, updated in place. */
  requestCallback: "adr_request",
  importCallback: "adr_import",
  assessCallback: "adr_security_assessment",
  draftPromptCallback: "adr_draft_prompt",
  noticeCallback: "adr_notice",
  /** Every form input's action_id; its block_id is the ADR field path. */
  inputAction: "value",
  /** The YAML import's one input. */
  importBlock: "adr_yaml",
  continueDraft: "adr_draft_continue",
  startOver: "adr_draft_start_over",
  back: "adr_request_back",
  openAssessment: "adr_assessment_open",
} as const;

export type RequestStep = 1 | 2 | 3;

export function encodeRequestMeta(step: RequestStep): string {
  return JSON.stringify({ step });
}

/** The form step a request view shows; 1 when the metadata is missing or garbled. */
export function parseRequestMeta(meta: string | undefined): RequestStep {
  try {
    const step = (JSON.parse(meta ?? "") as { step?: unknown }).step;
    return step === 2 || step === 3 ? step : 1;
  } catch {
    return 1;
  }
}

export function encodeAdrId(adrId: number): string {
  return String(adrId);
}

/** An ADR id from a button value or private metadata; undefined unless a positive integer. */
export function parseAdrId(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,10}$/.test(value)) return undefined;
  const id = Number(value);
  return id > 0 && id <= 2_147_483_647 ? id : undefined;
}

/** The idempotency key of a request form submission: the view and the step that submits. */
export function submissionKeyOf(viewId: string, step: RequestStep): string {
  return `${viewId}-step${step}`;
}

/** The ref of the requester's status message for an ADR (updated as it moves). */
export const adrStatusRef = (adrId: number): string => `adr-${adrId}-status`;
