import { DateTime } from "luxon";
import type { BusinessCalendar, SlaSpec } from "./calendar.ts";

/**
 * When the governance timers fire. Pure: the services turn these instants
 * into deadline rows; working-hours delivery is the outbox's business.
 */

const MS_PER_DAY = 86_400_000;

/** The SLA reminder points, in percent of the SLA. */
export const SLA_REMINDER_PERCENTS = [50, 90] as const;
export type SlaReminderPercent = (typeof SLA_REMINDER_PERCENTS)[number];

export type SlaPlan = {
  dueAt: Date;
  reminders: { percent: SlaReminderPercent; at: Date }[];
};

/**
 * A business-day SLA measures its 50% and 90% points in business time (so a
 * reminder never lands on a weekend or holiday); a duration SLA in wall time.
 */
export function slaPlan(calendar: BusinessCalendar, startedAt: Date, spec: SlaSpec): SlaPlan {
  const dueAt = calendar.slaDueAt(startedAt, spec);
  const measure = spec.kind === "business_days" ? "business" : "wall";
  return {
    dueAt,
    reminders: SLA_REMINDER_PERCENTS.map((percent) => ({
      percent,
      at: calendar.fractionPoint(startedAt, dueAt, percent / 100, measure),
    })),
  };
}

/** Owners hear of a review this many days before it is due, and on the day. */
export const REVIEW_REMINDER_DAYS_BEFORE = 14;
/** An overdue review goes to the chair one day after it fell due, then every week. */
export const REVIEW_OVERDUE_FIRST_AFTER_MS = MS_PER_DAY;
export const REVIEW_OVERDUE_EVERY_MS = 7 * MS_PER_DAY;

export type ReviewPlan = {
  /** Absent when that moment is already past at scheduling time. */
  early: Date | null;
  dueDay: Date;
  firstOverdue: Date;
};

export function reviewPlan(dueAt: Date, now: Date): ReviewPlan {
  const early = new Date(dueAt.getTime() - REVIEW_REMINDER_DAYS_BEFORE * MS_PER_DAY);
  return {
    early: early.getTime() > now.getTime() ? early : null,
    dueDay: dueAt,
    firstOverdue: new Date(dueAt.getTime() + REVIEW_OVERDUE_FIRST_AFTER_MS),
  };
}

/** The week-n overdue escalation of a review due at `dueAt` (n ≥ 1). */
export function reviewOverdueAt(dueAt: Date, week: number): Date {
  return new Date(dueAt.getTime() + REVIEW_OVERDUE_FIRST_AFTER_MS + (week - 1) * REVIEW_OVERDUE_EVERY_MS);
}

/** Owners of a condition or remediation action hear of it this many days before its deadline. */
export const REMEDIATION_REMINDER_DAYS_BEFORE = 3;

export type RemediationPlan = {
  /** Absent when already past, or not before the day-of reminder. */
  early: Date | null;
  /** The start of the deadline's local day (the day before for a deadline at midnight); null if past. */
  onTheDay: Date | null;
  /** The chair hears at once when the deadline passes. */
  overdue: Date;
};

export function remediationPlan(deadline: Date, timezone: string, now: Date): RemediationPlan {
  const local = DateTime.fromJSDate(deadline, { zone: timezone });
  let dayStart = local.startOf("day");
  if (dayStart.toMillis() >= deadline.getTime()) dayStart = dayStart.minus({ days: 1 });
  const onTheDay = dayStart.toMillis() > now.getTime() ? dayStart.toJSDate() : null;
  const earlyMs = deadline.getTime() - REMEDIATION_REMINDER_DAYS_BEFORE * MS_PER_DAY;
  const early = earlyMs > now.getTime() && earlyMs < dayStart.toMillis() ? new Date(earlyMs) : null;
  return { early, onTheDay, overdue: deadline };
}
