import { and, eq, gt, inArray, lte, ne } from "drizzle-orm";
import { slaBreachMessage, slaReminderMessage } from "../../../../blocks/timers/sla.ts";
import type { Tx } from "../../../db/client.ts";
import { adrs, agents, deadlines, outbox, slackMessages } from "../../../db/schema/index.ts";
import { deferOutbox } from "../../effects.ts";
import type { DeadlineContext, DeadlineHandlers } from "../fire.ts";
import { awaitingApprovers } from "../awaiting.ts";
import { ADR_SUBJECT, SLA_KINDS, type SlaTimerData } from "../sla.ts";

/** The ADR and its agent, locked, if the ADR is still in review; else null (the clock is moot). */
async function adrInReview(ctx: DeadlineContext) {
  const { adrId } = ctx.deadline.data as SlaTimerData;
  // FOR UPDATE: a decision committing at this instant is seen, never raced.
  const [adr] = await ctx.tx.select().from(adrs).where(eq(adrs.id, adrId)).for("update");
  if (adr?.status !== "in_review") return null;
  const [agent] = await ctx.tx.select().from(agents).where(eq(agents.id, adr.agentId));
  return agent ? { adr, agent } : null;
}

/**
 * A reminder that fires after a later point of the same clock is already due
 * (Redis lost it and it came back late, or the app was down past both) would
 * only contradict the later one: it is dropped.
 */
async function overtaken(ctx: DeadlineContext): Promise<boolean> {
  const later = await ctx.tx
    .select({ id: deadlines.id })
    .from(deadlines)
    .where(
      and(
        eq(deadlines.subjectType, ADR_SUBJECT),
        eq(deadlines.subjectId, ctx.deadline.subjectId),
        inArray(deadlines.kind, [SLA_KINDS.reminder, SLA_KINDS.breach]),
        ne(deadlines.status, "cancelled"),
        gt(deadlines.dueAt, ctx.deadline.dueAt),
        lte(deadlines.dueAt, ctx.now),
      ),
    )
    .limit(1);
  return later.length > 0;
}

async function remind(ctx: DeadlineContext): Promise<void> {
  const subject = await adrInReview(ctx);
  if (!subject || (await overtaken(ctx))) return;
  const { adr, agent } = subject;
  const { deps, tx, fx } = ctx;
  const data = ctx.deadline.data as SlaTimerData;
  const awaiting = await awaitingApprovers(tx, deps, adr, agent);
  if (!awaiting.length) return;
  const message = slaReminderMessage({
    adrId: adr.id,
    agentName: agent.name,
    tier: adr.tier,
    dueAt: adr.slaDueAt ?? new Date(data.dueAt),
    percent: data.percent ?? 0,
  });
  for (const user of awaiting) deferOutbox(fx, { op: "dm", user, message, workingHours: true });
  await deps.audit.append(tx, {
    type: "sla_reminder_sent",
    agentId: adr.agentId,
    actor: { system: "sla-timer" },
    at: ctx.now,
    data: {
      adrId: adr.id,
      percent: data.percent,
      dueAt: data.dueAt,
      recipients: awaiting.map((u) => deps.audit.actorId({ slackUser: u })),
    },
  });
}

/** True when the request's own message exists or is queued, so a thread reply will find its parent. */
async function requestMessageExists(tx: Tx, ref: string): Promise<boolean> {
  const [posted] = await tx
    .select({ ref: slackMessages.ref })
    .from(slackMessages)
    .where(eq(slackMessages.ref, ref));
  if (posted) return true;
  const [queued] = await tx
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.ref, ref), eq(outbox.op, "post"), inArray(outbox.status, ["pending", "sent"])))
    .limit(1);
  return Boolean(queued);
}

async function breach(ctx: DeadlineContext): Promise<void> {
  const subject = await adrInReview(ctx);
  if (!subject) return;
  const { adr, agent } = subject;
  const { deps, tx, fx } = ctx;
  const data = ctx.deadline.data as SlaTimerData;
  const awaiting = await awaitingApprovers(tx, deps, adr, agent);
  await tx.update(adrs).set({ overdue: true, updatedAt: ctx.now }).where(eq(adrs.id, adr.id));
  const chair = deps.config.committee.chair;
  const message = slaBreachMessage({
    adrId: adr.id,
    agentName: agent.name,
    tier: adr.tier,
    dueAt: adr.slaDueAt ?? new Date(data.dueAt),
    chair,
    awaiting,
  });
  const ref = `adr-${adr.id}`;
  // Escalations go out at once (no working hours). A request never posted to a
  // channel gets its escalation in the committee channel instead of waiting forever.
  if (await requestMessageExists(tx, ref)) deferOutbox(fx, { op: "reply", ref, message });
  else deferOutbox(fx, { op: "post", channel: deps.config.channels.committee, message });
  await deps.audit.append(tx, {
    type: "sla_breached",
    agentId: adr.agentId,
    actor: { system: "sla-timer" },
    at: ctx.now,
    data: {
      adrId: adr.id,
      tier: adr.tier,
      dueAt: data.dueAt,
      escalatedTo: deps.audit.actorId({ slackUser: chair }),
      awaiting: awaiting.map((u) => deps.audit.actorId({ slackUser: u })),
    },
  });
}

export const SLA_DEADLINE_HANDLERS: DeadlineHandlers = {
  [SLA_KINDS.reminder]: remind,
  [SLA_KINDS.breach]: breach,
};
