import type { AddressInfo } from "node:net";
import { WebClient } from "@slack/web-api";
import type { Worker } from "bullmq";
import type { Logger } from "pino";
import type { GovernorConfig } from "./config/governor.ts";
import { DEV_AUDIT_HMAC_KEY, type Env } from "./config/env.ts";
import { type Database, openDatabase } from "./db/client.ts";
import { apiRoutes } from "./http/api/index.ts";
import { healthRoute } from "./http/health.ts";
import { createHttpServer } from "./http/server.ts";
import { DEADLINE_HANDLERS } from "./jobs/deadline-handlers.ts";
import { buildProcessors } from "./jobs/processors/index.ts";
import { checkRedis, createJobs, redisConnection } from "./jobs/queue.ts";
import { reconcileTimers } from "./jobs/reconcile.ts";
import { registerSchedules, warnAboutRedisDurability } from "./jobs/schedules.ts";
import { createWorker } from "./jobs/worker.ts";
import { createAuditWriter } from "./services/audit/append.ts";
import { recordConfigChange } from "./services/audit/config-change.ts";
import type { Deps } from "./services/deps.ts";
import { createSlackApp } from "./slack/app.ts";
import { keepAliveFetch } from "./slack/http-fetch.ts";
import { GovernorReceiver } from "./slack/receiver.ts";

export interface GovernorOptions {
  env: Env;
  config: GovernorConfig;
  logger: Logger;
  now?: () => Date;
  /** Run the job worker in this process (default true). */
  worker?: boolean;
}

export interface Governor {
  url: string;
  port: number;
  deps: Deps;
  database: Database;
  worker: Worker | null;
  /** Graceful: stop taking requests, let in-flight work finish (bounded), close queues and the database. */
  close(timeoutMs?: number): Promise<void>;
}

/** The composition root shared by main.ts and the tests: config in, running app out. */
export async function startGovernor(opts: GovernorOptions): Promise<Governor> {
  const { env, config, logger } = opts;
  const now = opts.now ?? (() => new Date());
  await checkRedis(env.REDIS_URL);
  const database = await openDatabase({ url: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR });
  try {
    await database.migrate();
  } catch (err) {
    await database.close();
    throw err;
  }
  if (!env.AUDIT_HMAC_KEY) {
    logger.warn(
      "AUDIT_HMAC_KEY is not set: user ids in the audit trail are pseudonymised with a PUBLIC development key. " +
        "Set AUDIT_HMAC_KEY (32+ random characters) before real use.",
    );
  }
  const connection = redisConnection(env.REDIS_URL);
  const healthRedis = redisConnection(env.REDIS_URL);
  const workerConnection = redisConnection(env.REDIS_URL);
  const jobs = createJobs(connection, env.QUEUE_PREFIX);
  const transport = keepAliveFetch();
  const slack = new WebClient(env.SLACK_BOT_TOKEN, {
    fetch: transport.fetch,
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 5000 },
  });
  const deps: Deps = {
    db: database.db,
    config,
    // Our pool fails a COMMIT after any failed statement, so appends may go out unawaited.
    audit: createAuditWriter(env.AUDIT_HMAC_KEY ?? DEV_AUDIT_HMAC_KEY, {
      pipeline: database.kind === "postgres",
    }),
    jobs,
    slack,
    logger,
    now,
  };

  const worker =
    opts.worker === false
      ? null
      : createWorker(
          workerConnection,
          env.QUEUE_PREFIX,
          buildProcessors(deps, DEADLINE_HANDLERS, {
            // Two connections re-hash ranges in the database (the pool keeps ten).
            ...(database.kind === "postgres" ? { parallelVerify: { connections: 2 } } : {}),
          }),
          logger,
        );
  await warnAboutRedisDurability(healthRedis, logger);
  const report = await reconcileTimers(deps);
  logger.info(report, "timers reconciled from Postgres");
  await registerSchedules(deps);
  const configChange = await recordConfigChange(deps);
  if (configChange.changed)
    logger.info({ sections: configChange.sections }, "governor.yaml changed; recorded in the audit trail");

  const receiver = env.SLACK_APP_TOKEN ? undefined : new GovernorReceiver(env.SLACK_SIGNING_SECRET, logger);
  const app = createSlackApp({
    botToken: env.SLACK_BOT_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN,
    apiUrl: env.SLACK_API_URL,
    ...(receiver ? { receiver } : {}),
    deps,
    logger,
  });
  const server = createHttpServer(
    {
      ...(receiver ? { slack: receiver } : {}),
      health: healthRoute(database, healthRedis),
      api: apiRoutes(deps),
    },
    logger,
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PORT, "0.0.0.0", () => resolve());
  });
  if (env.SLACK_APP_TOKEN) await app.start();
  const port = (server.address() as AddressInfo).port;
  logger.info(
    { port, mode: env.SLACK_APP_TOKEN ? "socket" : "http", db: database.kind },
    "Agent Governor is up",
  );

  let closed = false;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    deps,
    database,
    worker,
    async close(timeoutMs = 10_000) {
      if (closed) return;
      closed = true;
      const deadline = Date.now() + timeoutMs;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        const poll = setInterval(() => {
          if (server.inFlight() === 0 || Date.now() > deadline) {
            clearInterval(poll);
            server.closeAllConnections();
            resolve();
          }
        }, 20);
      });
      if (env.SLACK_APP_TOKEN) await app.stop().catch(() => {});
      // worker.close() waits for active jobs to finish; past the deadline it is
      // forced, so no job is left holding the connection we close next (a job
      // cut short is retried by another instance or at the next start: its
      // deadline or outbox row is still pending in Postgres).
      if (worker) {
        const finished = await Promise.race([
          worker.close().then(() => true),
          sleep(Math.max(0, deadline - Date.now())).then(() => false),
        ]);
        if (!finished) await worker.close(true).catch(() => {});
      }
      await jobs.close().catch(() => {});
      connection.disconnect();
      workerConnection.disconnect();
      healthRedis.disconnect();
      transport.close();
      await database.close();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
