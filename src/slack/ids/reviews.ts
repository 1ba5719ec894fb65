import { z } from "zod";

/**
 * Action and callback ids of agent reviews and deployment. A value only
 * names the subject; handlers always re-read its state.
 */
export const REVIEW_ACTIONS = {
  /** "Start review" (reminder DMs, App Home): value = reviewValue(reviewId). */
  start: "agent_review_start",
  /** "Mark deployed" (decision DM to the technical owner): value = the agent id as digits. */
  markDeployed: "agent_mark_deployed",
} as const;

export const REVIEW_VIEWS = { review: "agent_review" } as const;

/** Input block ids of the review modal. */
export const REVIEW_FIELDS = {
  outcome: "review.outcome",
  notes: "review.notes",
  conditions: "review.conditions",
} as const;
export const REVIEW_INPUT_ACTION = "value";

export type Control = { actionId: string; value: string };

export const reviewValue = (reviewId: number): string => `review-${reviewId}`;

function positiveId(text: string | undefined): number | null {
  const id = Number(text);
  return text !== undefined && Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647 ? id : null;
}

export function parseReviewValue(value: unknown): number | null {
  if (typeof value !== "string") return null;
  return positiveId(/^review-([1-9][0-9]{0,9})$/.exec(value)?.[1]);
}

export const startReviewControl = (reviewId: number): Control => ({
  actionId: REVIEW_ACTIONS.start,
  value: reviewValue(reviewId),
});

/** For the approvals engineer's decision DM: the technical owner's "Mark deployed" button. */
export const markDeployedControl = (agentId: number): Control => ({
  actionId: REVIEW_ACTIONS.markDeployed,
  value: String(agentId),
});

export function parseAgentValue(value: unknown): number | null {
  if (typeof value !== "string" || !/^[1-9][0-9]{0,9}$/.test(value)) return null;
  return positiveId(value);
}

const reviewModalContext = z.object({ reviewId: z.number().int().positive() });
export type ReviewModalContext = z.infer<typeof reviewModalContext>;

export const encodeReviewContext = (ctx: ReviewModalContext): string => JSON.stringify(ctx);

export function parseReviewContext(raw: unknown): ReviewModalContext | null {
  if (typeof raw !== "string") return null;
  try {
    const parsed = reviewModalContext.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
