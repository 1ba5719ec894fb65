import { existsSync } from "node:fs";
import { loadGovernorConfig } from "./config/governor.ts";
import { parseEnv } from "./config/env.ts";
import { isGovernorError } from "./domain/errors.ts";
import { startGovernor } from "./governor.ts";
import { createLogger } from "./logger.ts";

/** The composition root: the only place that reads process.env. */
async function main(): Promise<void> {
  // A .env file beside the app is read if present; real environment variables win.
  if (existsSync(".env")) process.loadEnvFile(".env");
  const env = parseEnv(process.env);
  const config = env.ok ? loadGovernorConfig(env.value.GOVERNOR_CONFIG) : null;
  const problems = [...(env.ok ? [] : env.problems), ...(config && !config.ok ? config.problems : [])];
  if (!env.ok || !config?.ok) {
    for (const p of problems) console.error(`agent-governor: ${p}`);
    process.exit(1);
  }
  const logger = createLogger(env.value.LOG_LEVEL);
  let governor: Awaited<ReturnType<typeof startGovernor>>;
  try {
    governor = await startGovernor({ env: env.value, config: config.value, logger });
  } catch (err) {
    const message = isGovernorError(err) ? err.message : (err as Error).message;
    console.error(`agent-governor: cannot start: ${message.split("\n")[0]}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing in-flight requests and jobs");
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await governor
      .close(10_000)
      .catch((err) => logger.error({ err: (err as Error).message }, "unclean shutdown"));
    process.exit(0);
  };
  // Postgres holds every state change, deadline and outgoing message, so after
  // an unexpected fault the safest course is to say so and let the process
  // supervisor restart the app, which reconciles from Postgres.
  process.on("uncaughtException", (err) => {
    logger.fatal({ err: err.message }, "uncaught exception: exiting so the supervisor can restart the app");
    process.exit(1);
  });
  process.on("unhandledRejection", (reason) => {
    logger.error({ err: String((reason as Error)?.message ?? reason) }, "unhandled promise rejection");
  });
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

await main();
