import { type ConnectionOptions, type Job, UnrecoverableError, Worker } from "bullmq";
import type { Logger } from "pino";
import { JOB_NAMES, JOB_PAYLOADS, type JobName, type JobPayload } from "./map.ts";
import { RetryLater } from "../services/outbox/deliver.ts";
import { QUEUE_NAME } from "./queue.ts";

export type Processor<N extends JobName> = (payload: JobPayload<N>, job: Job) => Promise<void>;
export type Processors = { [N in JobName]: Processor<N> };

/** Refuses to start if any job name in the map has no processor. */
export function assertProcessors(processors: Partial<Processors>): asserts processors is Processors {
  const missing = JOB_NAMES.filter((n) => typeof processors[n] !== "function");
  if (missing.length)
    throw new Error(`no processor for job ${missing.join(", ")}: refusing to start the worker`);
}

/**
 * A reply or update waiting for its parent message retries quickly; anything
 * else (Slack down, database hiccup) backs off exponentially up to a minute.
 */
export function retryDelay(attemptsMade: number, _type?: string, err?: Error): number {
  if (err instanceof RetryLater) return Math.min(100 * attemptsMade, 2000);
  return Math.min(1000 * 2 ** Math.max(0, attemptsMade - 1), 60_000);
}

export function createWorker(
  connection: ConnectionOptions,
  prefix: string,
  processors: Partial<Processors>,
  logger: Logger,
  concurrency = 20,
): Worker {
  assertProcessors(processors);
  const worker = new Worker(
    QUEUE_NAME,
    async (job) => {
      const name = job.name as JobName;
      const schema = JOB_PAYLOADS[name];
      if (!schema) throw new UnrecoverableError(`unknown job ${job.name}`);
      const parsed = schema.safeParse(job.data);
      // Retrying cannot mend a payload (one an earlier version queued, say): it fails
      // once, logged. Nothing is lost: PostgreSQL holds the work, and the start-up
      // reconcile and the minute sweep queue it again in this version's shape.
      if (!parsed.success)
        throw new UnrecoverableError(`${job.name} job with a payload this version does not know: dropped`);
      const payload = parsed.data;
      await (processors[name] as Processor<typeof name>)(payload as never, job);
    },
    { connection, prefix, concurrency, autorun: true, settings: { backoffStrategy: retryDelay } },
  );
  worker.on("failed", (job, err) => {
    logger.warn(
      { job: job?.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
      "job failed",
    );
  });
  worker.on("error", (err) => logger.error({ err: err.message }, "worker error"));
  return worker;
}
