import { z } from "zod";

/**
 * The one map from job name to payload schema. Every name must have a
 * processor (createWorker refuses to start otherwise) and every job id is a
 * natural key, so re-adding is a no-op and cancelling is by id.
 */
export const JOB_PAYLOADS = {
  /** Deliver one outbox item (a Slack post, update, thread reply or DM). */
  "outbox.deliver": z.object({ outboxId: z.number().int().positive() }),
  /** Fire one deadline row (SLA reminder, review reminder, incident re-page, quorum close…). */
  "deadline.fire": z.object({ deadlineId: z.number().int().positive() }),
  /** Nightly: verify every audit chain; a failure is posted to the committee as a security alert. */
  "audit.verify": z.object({}),
  /** Daily: hash the heads of all chains together and post the anchor. */
  "audit.anchor": z.object({}),
  /** Weekly, Monday 09:00: the committee digest. */
  "digest.weekly": z.object({}),
  /** Every minute: re-enqueue due deadlines and pending outbox items whose timer was lost. */
  sweep: z.object({}),
} as const;

export type JobName = keyof typeof JOB_PAYLOADS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOB_PAYLOADS)[N]>;
export const JOB_NAMES = Object.keys(JOB_PAYLOADS) as JobName[];

export const outboxJobId = (outboxId: number): string => `outbox-${outboxId}`;
