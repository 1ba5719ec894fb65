import { eq } from "drizzle-orm";
import {
  remediationOverdueMessage,
  remediationReminderMessage,
} from "../../../../blocks/timers/remediation.ts";
import { agents, remediationItems } from "../../../db/schema/index.ts";
import { markDoneControl } from "../../../slack/ids/approval.ts";
import { deferOutbox } from "../../effects.ts";
import type { DeadlineContext, DeadlineHandlers } from "../fire.ts";
import { REMEDIATION_KINDS, type RemediationTimerData } from "../remediation.ts";

const LABELS: Record<string, string> = {
  adr_condition: "Condition",
  review_condition: "Review condition",
  pir_action: "Remediation action",
};

/** The item if still open (a done or cancelled item needs no reminder), with its agent's name. */
async function openItem(ctx: DeadlineContext) {
  const { itemId } = ctx.deadline.data as RemediationTimerData;
  const [item] = await ctx.tx
    .select()
    .from(remediationItems)
    .where(eq(remediationItems.id, itemId))
    .for("update");
  if (item?.status !== "open") return null;
  const [agent] = item.agentId
    ? await ctx.tx.select({ name: agents.name }).from(agents).where(eq(agents.id, item.agentId))
    : [];
  return {
    item,
    subject: {
      itemId: item.id,
      description: item.description,
      label: LABELS[item.source] ?? "Tracked item",
      agentName: agent?.name ?? null,
      deadline: item.deadline,
    },
  };
}

async function remind(ctx: DeadlineContext): Promise<void> {
  const open = await openItem(ctx);
  if (!open) return;
  const when = (ctx.deadline.data as RemediationTimerData).when ?? "day";
  const message = remediationReminderMessage({
    ...open.subject,
    when,
    // The approvals workflow's "Mark done" handles ADR conditions.
    ...(open.item.source === "adr_condition" ? { markDone: markDoneControl(open.item.id) } : {}),
  });
  deferOutbox(ctx.fx, { op: "dm", user: open.item.owner, message, workingHours: true });
}

async function escalate(ctx: DeadlineContext): Promise<void> {
  const open = await openItem(ctx);
  if (!open) return;
  const { deps, tx, fx } = ctx;
  const chair = deps.config.committee.chair;
  const message = remediationOverdueMessage({ ...open.subject, owner: open.item.owner });
  deferOutbox(fx, { op: "dm", user: chair, message });
  await deps.audit.append(tx, {
    type: "condition_overdue",
    agentId: open.item.agentId,
    actor: { system: "remediation-timer" },
    at: ctx.now,
    data: {
      itemId: open.item.id,
      source: open.item.source,
      adrId: open.item.adrId,
      incidentId: open.item.incidentId,
      deadline: open.item.deadline.toISOString(),
      owner: deps.audit.actorId({ slackUser: open.item.owner }),
      escalatedTo: deps.audit.actorId({ slackUser: chair }),
    },
  });
}

export const REMEDIATION_DEADLINE_HANDLERS: DeadlineHandlers = {
  [REMEDIATION_KINDS.reminder]: remind,
  [REMEDIATION_KINDS.overdue]: escalate,
};
