import type { Tx } from "../../db/client.ts";
import { remediationPlan } from "../../domain/timer-plan.ts";
import type { Deps } from "../deps.ts";
import { cancelDeadlines, type Effects, scheduleDeadline } from "../effects.ts";

export const REMEDIATION_KINDS = {
  reminder: "remediation_reminder",
  overdue: "remediation_overdue",
} as const;
export const REMEDIATION_SUBJECT = "remediation_item";

export type RemediationTimerData = {
  itemId: number;
  owner: string;
  deadline: string;
  when?: "early" | "day";
};

/**
 * Timers of one tracked item (an ADR or review condition, a post-incident
 * remediation action): the owner is reminded 3 days before and on the day
 * (in their working hours); the chair hears at once when it is overdue.
 * Reminders already past at scheduling time are skipped. Idempotent per item.
 */
export async function scheduleRemediationTimers(
  tx: Tx,
  fx: Effects,
  deps: Deps,
  input: { itemId: number; owner: string; deadline: Date },
): Promise<void> {
  const plan = remediationPlan(input.deadline, deps.config.calendar.timezone, deps.now());
  const data: RemediationTimerData = {
    itemId: input.itemId,
    owner: input.owner,
    deadline: input.deadline.toISOString(),
  };
  const base = { subjectType: REMEDIATION_SUBJECT, subjectId: input.itemId };
  if (plan.early) {
    await scheduleDeadline(tx, fx, {
      ...base,
      key: `remediation-${input.itemId}-reminder-early`,
      kind: REMEDIATION_KINDS.reminder,
      dueAt: plan.early,
      data: { ...data, when: "early" },
    });
  }
  if (plan.onTheDay) {
    await scheduleDeadline(tx, fx, {
      ...base,
      key: `remediation-${input.itemId}-reminder-day`,
      kind: REMEDIATION_KINDS.reminder,
      dueAt: plan.onTheDay,
      data: { ...data, when: "day" },
    });
  }
  await scheduleDeadline(tx, fx, {
    ...base,
    key: `remediation-${input.itemId}-overdue`,
    kind: REMEDIATION_KINDS.overdue,
    dueAt: plan.overdue,
    data,
  });
}

/** When an item is done or cancelled (the handlers would do nothing anyway; this frees Redis). */
export async function cancelRemediationTimers(tx: Tx, fx: Effects, itemId: number): Promise<void> {
  await cancelDeadlines(tx, fx, REMEDIATION_SUBJECT, itemId, [
    REMEDIATION_KINDS.reminder,
    REMEDIATION_KINDS.overdue,
  ]);
}
