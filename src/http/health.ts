import type { Redis } from "ioredis";
import type { Database } from "../db/client.ts";
import type { RouteHandler } from "./server.ts";
import { sendJson } from "./respond.ts";

async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<T>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** 200 {"db":"ok","redis":"ok"} only when both answer; 503 with what failed otherwise. */
export function healthRoute(database: Database, redis: Redis): RouteHandler {
  return async (_req, res) => {
    const [db, rd] = await Promise.allSettled([within(2000, database.ping()), within(2000, redis.ping())]);
    const body = {
      db: db.status === "fulfilled" ? "ok" : "unavailable",
      redis: rd.status === "fulfilled" ? "ok" : "unavailable",
    };
    sendJson(res, body.db === "ok" && body.redis === "ok" ? 200 : 503, body);
  };
}
