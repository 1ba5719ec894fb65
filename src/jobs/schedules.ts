import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Deps } from "../services/deps.ts";

/**
 * Repeating jobs, registered with BullMQ's job scheduler (idempotent upserts,
 * so every instance may register them at start-up).
 */
export async function registerSchedules(deps: Deps): Promise<void> {
  const tz = deps.config.calendar.timezone;
  const q = deps.jobs.queue;
  await q.upsertJobScheduler("sweep", { every: 60_000 }, { name: "sweep", data: {} });
  await q.upsertJobScheduler(
    "audit-verify-nightly",
    { pattern: "0 3 * * *", tz },
    { name: "audit.verify", data: {} },
  );
  await q.upsertJobScheduler(
    "audit-anchor-daily",
    { pattern: "0 0 * * *", tz },
    { name: "audit.anchor", data: {} },
  );
  await q.upsertJobScheduler(
    "digest-weekly",
    { pattern: "0 9 * * 1", tz },
    { name: "digest.weekly", data: {} },
  );
}

/** BullMQ can lose jobs under eviction or without persistence; say so plainly (the reconciler is the safety net). */
export async function warnAboutRedisDurability(redis: Redis, logger: Logger): Promise<void> {
  try {
    const policy = (await redis.config("GET", "maxmemory-policy")) as string[];
    if (policy[1] && policy[1] !== "noeviction") {
      logger.warn(
        `Redis maxmemory-policy is ${policy[1]}, not noeviction: Redis may evict timers. Postgres keeps every deadline and the sweep re-creates lost timers, but set maxmemory-policy noeviction.`,
      );
    }
    const aof = (await redis.config("GET", "appendonly")) as string[];
    const save = (await redis.config("GET", "save")) as string[];
    if (aof[1] !== "yes" && !save[1]) {
      logger.warn(
        'Redis has no persistence (appendonly no, save ""): a Redis restart loses the timers; they are rebuilt from Postgres at start-up and by the minute sweep.',
      );
    }
  } catch {
    // CONFIG may be disabled on managed Redis; nothing to warn about then.
  }
}
