import type { SlaSpec } from "./calendar.ts";

/** Risk tier: 1 (low) … 4 (critical). */
export type Tier = 1 | 2 | 3 | 4;

export const TIERS: readonly Tier[] = [1, 2, 3, 4];

export function isTier(value: unknown): value is Tier {
  return value === 1 || value === 2 || value === 3 || value === 4;
}

export type ReviewKind = "post_deployment" | "periodic";

/** Days until the post-deployment review and between periodic reviews (spec table; deviation 3). */
export const REVIEW_DAYS: Readonly<Record<Tier, Readonly<{ postDeployment: number; periodic: number }>>> =
  Object.freeze({
    1: Object.freeze({ postDeployment: 180, periodic: 365 }),
    2: Object.freeze({ postDeployment: 90, periodic: 180 }),
    3: Object.freeze({ postDeployment: 30, periodic: 90 }),
    4: Object.freeze({ postDeployment: 30, periodic: 30 }),
  });

/** Default decision SLA per tier; governor.yaml may override each. */
export const DEFAULT_SLA: Readonly<Record<Tier, SlaSpec>> = Object.freeze({
  1: Object.freeze({ kind: "duration", ms: 24 * 3_600_000 }),
  2: Object.freeze({ kind: "duration", ms: 72 * 3_600_000 }),
  3: Object.freeze({ kind: "business_days", days: 7 }),
  4: Object.freeze({ kind: "business_days", days: 14 }),
});

/**
 * When a review of `kind` falls due, counted in whole 24-hour days from
 * `from` (deployment, or approval if never marked deployed; the last review
 * for periodic ones). Review deadlines are days to months away, so an hour of
 * DST drift is immaterial and elapsed days keep them independent of any zone.
 */
export function reviewDueAt(tier: Tier, kind: ReviewKind, from: Date): Date {
  const days = kind === "post_deployment" ? REVIEW_DAYS[tier].postDeployment : REVIEW_DAYS[tier].periodic;
  return new Date(from.getTime() + days * 86_400_000);
}
