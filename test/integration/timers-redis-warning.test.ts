import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { warnAboutRedisDurability } from "../../src/jobs/schedules.ts";
import { Redis } from "ioredis";

describe("the start-up warning about Redis durability", () => {
  function capture() {
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (s: string) => lines.push(JSON.parse(s).msg) });
    return { lines, logger };
  }

  it("reads the real Redis settings and warns exactly when persistence is off", async () => {
    const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    try {
      const { lines, logger } = capture();
      await warnAboutRedisDurability(redis, logger);
      const [, aof] = (await redis.config("GET", "appendonly")) as string[];
      const [, save] = (await redis.config("GET", "save")) as string[];
      const [, policy] = (await redis.config("GET", "maxmemory-policy")) as string[];
      expect(lines.some((l) => l.includes("no persistence"))).toBe(aof !== "yes" && !save);
      expect(lines.some((l) => l.includes("maxmemory-policy"))).toBe(policy !== "noeviction");
    } finally {
      redis.disconnect();
    }
  });

  it.each([
    [{ "maxmemory-policy": "allkeys-lru", appendonly: "yes", save: "" }, ["maxmemory-policy is allkeys-lru"]],
    [{ "maxmemory-policy": "noeviction", appendonly: "no", save: "" }, ["no persistence"]],
    [{ "maxmemory-policy": "noeviction", appendonly: "no", save: "3600 1" }, []],
  ])("with %o it warns about %o", async (settings, expected) => {
    const { lines, logger } = capture();
    // Only CONFIG GET is asked; a stand-in answers it with the given settings.
    const redis = { config: async (_get: string, key: keyof typeof settings) => [key, settings[key]] };
    await warnAboutRedisDurability(redis as never, logger);
    expect(lines.length).toBe(expected.length);
    for (const [i, e] of expected.entries()) expect(lines[i]).toContain(e);
  });
});
