import { type ConnectionOptions, type JobsOptions, Queue } from "bullmq";
import { Redis } from "ioredis";
import { JOB_PAYLOADS, type JobName, type JobPayload } from "./map.ts";

export const QUEUE_NAME = "governor";

/** Fails fast with one clear line when Redis does not answer. */
export async function checkRedis(url: string): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 3000,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let cause: NodeJS.ErrnoException | undefined;
  probe.on("error", (err: NodeJS.ErrnoException) => {
    cause ??= err;
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    const e = cause ?? (err as NodeJS.ErrnoException);
    const why = e.code ?? e.message;
    throw new Error(`Redis at ${redactUrl(url)} is not answering (${why}): start Redis, or set REDIS_URL`);
  } finally {
    probe.disconnect();
  }
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, "//***@");
}

export function redisConnection(url: string): Redis {
  const conn = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  conn.on("error", () => {}); // surfaced through /healthz and job failures, not as unhandled events
  return conn;
}

export interface Jobs {
  queue: Queue;
  add<N extends JobName>(
    name: N,
    payload: JobPayload<N>,
    opts?: JobsOptions & { jobId?: string },
  ): Promise<void>;
  addBulk(jobs: { name: JobName; data: unknown; opts?: JobsOptions }[]): Promise<void>;
  remove(jobId: string): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 12,
  backoff: { type: "governor" },
  // Ids are natural keys: removing finished jobs lets the sweep re-add one
  // (the processor's conditional update makes a second run a no-op).
  removeOnComplete: true,
  removeOnFail: true,
};

export function createJobs(connection: ConnectionOptions, prefix: string): Jobs {
  const queue = new Queue(QUEUE_NAME, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  queue.on("error", () => {});
  return {
    queue,
    async add(name, payload, opts) {
      JOB_PAYLOADS[name].parse(payload);
      await queue.add(name, payload, opts);
    },
    async addBulk(jobs) {
      for (let i = 0; i < jobs.length; i += 1000) {
        await queue.addBulk(
          jobs.slice(i, i + 1000).map((j) => ({ name: j.name, data: j.data, opts: j.opts ?? {} })),
        );
      }
    },
    async remove(jobId) {
      await queue.remove(jobId);
    },
    async close() {
      await queue.close();
    },
  };
}
