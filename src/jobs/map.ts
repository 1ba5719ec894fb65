import { z } from "zod";

/**
 * The one map from job name to payload schema. Every name must have a
 * processor (createWorker refuses to start otherwise) and every job id is
 * deterministic (an outbox row's id, a timer's window), so re-adding is a no-op.
 */
export const JOB_PAYLOADS = {
  /** Deliver one outbox item (a Slack post, update, thread reply or DM). */
  "outbox.deliver": z.object({ outboxId: z.number().int().positive() }),
  /**
   * A timer: fires every deadline row then due (SLA reminders, review reminders,
   * incident re-pages, quorum closes…). `at` is the end of the window of due
   * times it stands for (see src/jobs/timers.ts).
   */
  "deadline.fire": z.object({ at: z.number().int().nonnegative() }),
  /** Nightly: verify every audit chain; a failure is posted to the committee as a security alert. */
  "audit.verify": z.object({}),
  /** Daily: hash the heads of all chains together and post the anchor. */
  "audit.anchor": z.object({}),
  /** Weekly, Monday 09:00: the committee digest. */
  "digest.weekly": z.object({}),
  /** Every minute: re-enqueue due deadlines and pending outbox items whose timer was lost; delete linked audit_pending rows. */
  sweep: z.object({}),
} as const;

export type JobName = keyof typeof JOB_PAYLOADS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOB_PAYLOADS)[N]>;
export const JOB_NAMES = Object.keys(JOB_PAYLOADS) as JobName[];

export const outboxJobId = (outboxId: number): string => `outbox-${outboxId}`;

/** The job that delivers an outbox row, not before `at` (default: at once). */
export function outboxJob(outboxId: number, now: Date, at?: Date) {
  return {
    name: "outbox.deliver" as const,
    data: { outboxId },
    opts: { jobId: outboxJobId(outboxId), delay: at ? Math.max(0, at.getTime() - now.getTime()) : 0 },
  };
}
