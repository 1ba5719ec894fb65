import { DateTime } from "luxon";
import { canonicalJson } from "./canonical-json.ts";

/**
 * What a committee member or signer submits with a vote, checked before it
 * is stored: a Conditional vote carries 1–5 conditions (text, owner,
 * deadline), a Reject vote its reason. Field keys are the modal's block ids
 * (`conditions.0.deadline`, `reason`), so errors land on the exact input.
 */
/** Input block ids of the approval modals: the dotted path of the field each fills. */
export const APPROVAL_FIELDS = {
  reason: "reason",
  tier: "tier",
  evidence: "evidence",
  conditionText: (row: number) => `conditions.${row}.text`,
  conditionOwner: (row: number) => `conditions.${row}.owner`,
  conditionDeadline: (row: number) => `conditions.${row}.deadline`,
} as const;
/** The one action id inside every input block of those modals. */
export const INPUT_ACTION = "value";
export const MAX_CONDITION_ROWS = 5;

export type VoteChoiceInput = "approve" | "conditional" | "reject";

export type ConditionRow = { text?: string | null; owner?: string | null; deadline?: string | null };

/** A condition as stored on a vote: deadline is the end of the chosen day in the calendar's zone. */
export type VoteCondition = { text: string; owner: string; date: string; deadline: string };

export type CheckedVote = { choice: VoteChoiceInput; reason: string | null; conditions: VoteCondition[] };

export const VOTE_LIMITS = { conditionText: 500, reason: 3000, conditions: 5, deadlineYears: 3 } as const;

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function checkVote(
  input: { choice: VoteChoiceInput; reason?: string | null; conditions?: readonly ConditionRow[] },
  now: Date,
  timezone: string,
): { ok: true; vote: CheckedVote } | { ok: false; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  const reason = input.reason?.trim() || null;
  if (reason && reason.length > VOTE_LIMITS.reason) {
    fields.reason = `keep it under ${VOTE_LIMITS.reason} characters`;
  }
  if (input.choice === "reject" && !reason) fields.reason = "say why you reject this request";
  const conditions: VoteCondition[] = [];
  if (input.choice === "conditional") {
    const rows = input.conditions ?? [];
    if (rows.length > VOTE_LIMITS.conditions) fields["conditions.0.text"] = "at most 5 conditions";
    rows.slice(0, VOTE_LIMITS.conditions).forEach((row, i) => {
      const c = checkCondition(row, i, now, timezone, fields);
      if (c) conditions.push(c);
    });
    const firstError = Object.keys(fields).some((k) => k.startsWith("conditions."));
    if (conditions.length === 0 && !firstError) {
      fields["conditions.0.text"] = "a conditional approval needs at least one condition";
    }
  }
  if (Object.keys(fields).length > 0) return { ok: false, fields };
  return { ok: true, vote: { choice: input.choice, reason, conditions } };
}

function checkCondition(
  row: ConditionRow,
  i: number,
  now: Date,
  timezone: string,
  fields: Record<string, string>,
): VoteCondition | null {
  const text = row.text?.trim() ?? "";
  const owner = row.owner?.trim() ?? "";
  const date = row.deadline?.trim() ?? "";
  if (!text && !owner && !date) return null;
  const at = (f: string) => `conditions.${i}.${f}`;
  if (!text) fields[at("text")] = "describe what must be done";
  else if (text.length > VOTE_LIMITS.conditionText)
    fields[at("text")] = `keep it under ${VOTE_LIMITS.conditionText} characters`;
  if (!owner) fields[at("owner")] = "choose who owns this condition";
  else if (!USER_ID.test(owner)) fields[at("owner")] = "choose a person";
  const deadline = date ? endOfLocalDay(date, timezone) : null;
  if (!date) fields[at("deadline")] = "choose a deadline";
  else if (!deadline) fields[at("deadline")] = "choose a valid date";
  else if (deadline.getTime() <= now.getTime()) fields[at("deadline")] = "choose today or a later date";
  else if (deadline.getTime() > now.getTime() + VOTE_LIMITS.deadlineYears * 366 * 86_400_000) {
    fields[at("deadline")] = `choose a date within ${VOTE_LIMITS.deadlineYears} years`;
  }
  if (!text || !owner || !deadline || fields[at("text")] || fields[at("owner")] || fields[at("deadline")]) {
    return null;
  }
  return { text, owner, date, deadline: deadline.toISOString() };
}

/** The last millisecond of a calendar date in `timezone`, or null for a malformed date. */
export function endOfLocalDay(date: string, timezone: string): Date | null {
  if (!ISO_DATE.test(date)) return null;
  const day = DateTime.fromISO(date, { zone: timezone });
  return day.isValid ? day.endOf("day").toJSDate() : null;
}

/** Two votes say the same thing (a double click or a retry, not a change of mind). */
export function sameVote(
  a: { choice: string; reason: string | null; conditions: unknown },
  b: { choice: string; reason: string | null; conditions: unknown },
): boolean {
  return (
    a.choice === b.choice &&
    (a.reason ?? null) === (b.reason ?? null) &&
    canonicalJson(a.conditions ?? []) === canonicalJson(b.conditions ?? [])
  );
}
