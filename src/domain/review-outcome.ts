import { DateTime } from "luxon";

/**
 * What a governance review decides, and the conditions a "continue with
 * conditions" outcome carries. Conditions are typed one per line; a line may
 * end with "by YYYY-MM-DD" to set its deadline (end of business, 18:00, in
 * the calendar's zone), else it is due in 30 days.
 */
export const REVIEW_OUTCOMES = ["continue", "continue_with_conditions", "suspend", "decommission"] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

export const REVIEW_OUTCOME_LABELS: Record<ReviewOutcome, string> = {
  continue: "Continue",
  continue_with_conditions: "Continue with conditions",
  suspend: "Suspend",
  decommission: "Decommission",
};

export const isReviewOutcome = (v: unknown): v is ReviewOutcome =>
  typeof v === "string" && (REVIEW_OUTCOMES as readonly string[]).includes(v);

export const DEFAULT_CONDITION_DAYS = 30;
export const MAX_REVIEW_CONDITIONS = 10;
export const MAX_CONDITION_CHARS = 500;
const END_OF_BUSINESS_HOUR = 18;

export type ReviewConditionInput = { text: string; deadline: Date };
export type ParsedConditions =
  | { ok: true; conditions: ReviewConditionInput[] }
  | { ok: false; error: string };

export function parseReviewConditions(raw: string, now: Date, timezone: string): ParsedConditions {
  const lines = raw
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/^[-*•]\s*/, ""))
    .filter((l) => l.length > 0);
  if (lines.length > MAX_REVIEW_CONDITIONS) {
    return { ok: false, error: `At most ${MAX_REVIEW_CONDITIONS} conditions, one per line.` };
  }
  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf("day");
  const conditions: ReviewConditionInput[] = [];
  for (const [i, line] of lines.entries()) {
    const m = /^(.*?)(?:[\s,;]+|^)by\s+(\d{4}-\d{2}-\d{2})\.?$/i.exec(line);
    const text = (m ? m[1]! : line).trim();
    if (!text) return { ok: false, error: `Line ${i + 1} has a date but no condition.` };
    if (text.length > MAX_CONDITION_CHARS) {
      return { ok: false, error: `Line ${i + 1} is longer than ${MAX_CONDITION_CHARS} characters.` };
    }
    let day = today.plus({ days: DEFAULT_CONDITION_DAYS });
    if (m) {
      day = DateTime.fromISO(m[2]!, { zone: timezone });
      if (!day.isValid) return { ok: false, error: `Line ${i + 1}: ${m[2]} is not a date.` };
      if (day <= today)
        return { ok: false, error: `Line ${i + 1}: the deadline ${m[2]} must be after today.` };
    }
    conditions.push({ text, deadline: day.set({ hour: END_OF_BUSINESS_HOUR }).toJSDate() });
  }
  return { ok: true, conditions };
}

/** Who may record a review: the agent's owners, the chair and the co-chair. */
export function mayReviewAgent(
  people: { businessOwner: string; technicalOwner: string; chair: string; coChair: string },
  user: string,
): boolean {
  return (
    user !== "" && [people.businessOwner, people.technicalOwner, people.chair, people.coChair].includes(user)
  );
}
