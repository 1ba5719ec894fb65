import { DelayedError, type Job } from "bullmq";
import { makeCalendar } from "../../domain/calendar.ts";
import { anchorAuditChains } from "../../services/audit/anchor.ts";
import { runNightlyVerification } from "../../services/audit/nightly.ts";
import { sweepLinkedPending } from "../../services/audit/pending.ts";
import type { ParallelVerify } from "../../services/audit/verify-parallel.ts";
import type { Deps } from "../../services/deps.ts";
import { postWeeklyDigest } from "../../services/digest/weekly.ts";
import { deliverOutboxItem } from "../../services/outbox/deliver.ts";
import { createInlineDelivery } from "../../services/outbox/deliver-now.ts";
import type { DeadlineHandlers } from "../../services/timers/fire.ts";
import { sweepMissedTimers } from "../reconcile.ts";
import type { Processors } from "../worker.ts";
import { deadlineFireProcessor } from "./deadline-fire.ts";

/** Slack calls in flight at once for messages delivered right after a firing. */
const INLINE_SLACK_CALLS = 48;

export interface ProcessorOptions {
  /** The nightly verification's fast pass (Postgres only: PGlite has one session). */
  parallelVerify?: ParallelVerify;
}

export function buildProcessors(
  deps: Deps,
  deadlineHandlers: DeadlineHandlers,
  opts: ProcessorOptions = {},
): Processors {
  const calendar = makeCalendar({
    timezone: deps.config.calendar.timezone,
    ...(deps.config.calendar.holidays ? { holidays: deps.config.calendar.holidays } : {}),
  });
  const tzFallback = deps.config.calendar.timezone;
  const nextWorkingMoment = (tz: string | null) => calendar.nextWorkingMoment(deps.now(), tz ?? tzFallback);
  const inline = createInlineDelivery(deps, nextWorkingMoment, INLINE_SLACK_CALLS);
  return {
    "outbox.deliver": async ({ outboxId }, job) => {
      const result = await deliverOutboxItem(deps, outboxId, nextWorkingMoment);
      if (typeof result === "object") await deferJob(job, result.deferUntil);
    },
    "deadline.fire": deadlineFireProcessor(deps, deadlineHandlers, inline),
    "audit.verify": async () => {
      await runNightlyVerification(deps, opts.parallelVerify ? { parallel: opts.parallelVerify } : {});
    },
    "audit.anchor": async () => {
      await anchorAuditChains(deps);
    },
    "digest.weekly": async () => {
      await postWeeklyDigest(deps);
    },
    sweep: async () => {
      await sweepMissedTimers(deps);
      await sweepLinkedPending(deps.db);
    },
  };
}

/** Puts the job back as delayed (BullMQ's documented pattern) without counting an attempt. */
async function deferJob(job: Job, until: Date): Promise<void> {
  await job.moveToDelayed(until.getTime(), job.token);
  throw new DelayedError();
}
