import { and, eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { adrs, deadlines } from "../../db/schema/index.ts";
import type { Tier } from "../../domain/tier-policy.ts";
import { slaPlan } from "../../domain/timer-plan.ts";
import type { Deps } from "../deps.ts";
import { cancelDeadlines, type Effects, scheduleDeadline } from "../effects.ts";
import { businessCalendar } from "./clock.ts";

export const SLA_KINDS = { reminder: "adr_sla_reminder", breach: "adr_sla_breach" } as const;
export const ADR_SUBJECT = "adr";

export type SlaTimerData = { adrId: number; tier: Tier; startedAt: string; dueAt: string; percent?: number };

/**
 * Schedules the SLA clock of an ADR in review: reminders at 50% and 90% to
 * those who have not voted, an escalation at breach. Returns the due time
 * (also stored on the ADR as sla_due_at).
 *
 * Calling it again with the same tier and start is a no-op. With another
 * tier or start (a tier raise), the pending clock is cancelled and a new
 * generation scheduled: its keys carry `g<n>` (n = earlier generations),
 * since a fired or cancelled key can never be reused.
 */
export async function scheduleSlaTimers(
  tx: Tx,
  fx: Effects,
  deps: Deps,
  input: { adrId: number; tier: Tier; startedAt: Date },
): Promise<Date> {
  const { adrId, tier, startedAt } = input;
  const plan = slaPlan(businessCalendar(deps.config), startedAt, deps.config.sla[`tier${tier}`]);
  // One clock per ADR at a time: serialise concurrent schedulers on the ADR row.
  await tx.select({ id: adrs.id }).from(adrs).where(eq(adrs.id, adrId)).for("update");
  const generations = await tx
    .select({ status: deadlines.status, dueAt: deadlines.dueAt, data: deadlines.data })
    .from(deadlines)
    .where(
      and(
        eq(deadlines.subjectType, ADR_SUBJECT),
        eq(deadlines.subjectId, String(adrId)),
        eq(deadlines.kind, SLA_KINDS.breach),
      ),
    );
  const live = generations.find((g) => g.status === "pending");
  const liveData = live?.data as Partial<SlaTimerData> | undefined;
  if (live && liveData?.tier === tier && liveData.startedAt === startedAt.toISOString()) return live.dueAt;
  if (live) await cancelSlaTimers(tx, fx, adrId);

  const g = generations.length;
  const key = (suffix: string) =>
    g === 0 ? `adr-${adrId}-sla-${suffix}` : `adr-${adrId}-g${g}-sla-${suffix}`;
  const data: SlaTimerData = {
    adrId,
    tier,
    startedAt: startedAt.toISOString(),
    dueAt: plan.dueAt.toISOString(),
  };
  for (const r of plan.reminders) {
    await scheduleDeadline(tx, fx, {
      key: key(String(r.percent)),
      kind: SLA_KINDS.reminder,
      subjectType: ADR_SUBJECT,
      subjectId: adrId,
      dueAt: r.at,
      data: { ...data, percent: r.percent },
    });
  }
  await scheduleDeadline(tx, fx, {
    key: key("breach"),
    kind: SLA_KINDS.breach,
    subjectType: ADR_SUBJECT,
    subjectId: adrId,
    dueAt: plan.dueAt,
    data,
  });
  await tx
    .update(adrs)
    .set({ slaDueAt: plan.dueAt, overdue: false, updatedAt: deps.now() })
    .where(eq(adrs.id, adrId));
  return plan.dueAt;
}

/** Cancels the pending SLA reminders and escalation of an ADR (at decision, withdrawal or tier raise). */
export async function cancelSlaTimers(tx: Tx, fx: Effects, adrId: number): Promise<void> {
  await cancelDeadlines(tx, fx, ADR_SUBJECT, adrId, [SLA_KINDS.reminder, SLA_KINDS.breach]);
}
