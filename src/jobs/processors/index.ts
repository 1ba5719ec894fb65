import { DelayedError, type Job } from "bullmq";
import { makeCalendar } from "../../domain/calendar.ts";
import { anchorAuditChains } from "../../services/audit/anchor.ts";
import { runNightlyVerification } from "../../services/audit/nightly.ts";
import type { Deps } from "../../services/deps.ts";
import { postWeeklyDigest } from "../../services/digest/weekly.ts";
import { deliverOutboxItem } from "../../services/outbox/deliver.ts";
import { type DeadlineHandlers, fireDeadline } from "../../services/timers/fire.ts";
import { sweepMissedTimers } from "../reconcile.ts";
import type { Processors } from "../worker.ts";

export function buildProcessors(deps: Deps, deadlineHandlers: DeadlineHandlers): Processors {
  const calendar = makeCalendar({
    timezone: deps.config.calendar.timezone,
    ...(deps.config.calendar.holidays ? { holidays: deps.config.calendar.holidays } : {}),
  });
  const tzFallback = deps.config.calendar.timezone;
  return {
    "outbox.deliver": async ({ outboxId }, job) => {
      const result = await deliverOutboxItem(deps, outboxId, (tz) =>
        calendar.nextWorkingMoment(deps.now(), tz ?? tzFallback),
      );
      if (typeof result === "object") await deferJob(job, result.deferUntil);
    },
    "deadline.fire": async ({ deadlineId }) => {
      await fireDeadline(deps, deadlineHandlers, deadlineId);
    },
    "audit.verify": async () => {
      await runNightlyVerification(deps);
    },
    "audit.anchor": async () => {
      await anchorAuditChains(deps);
    },
    "digest.weekly": async () => {
      await postWeeklyDigest(deps);
    },
    sweep: async () => {
      await sweepMissedTimers(deps);
    },
  };
}

/** Puts the job back as delayed (BullMQ's documented pattern) without counting an attempt. */
async function deferJob(job: Job, until: Date): Promise<void> {
  await job.moveToDelayed(until.getTime(), job.token);
  throw new DelayedError();
}
