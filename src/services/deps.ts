import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import type { GovernorConfig } from "../config/governor.ts";
import type { Db } from "../db/client.ts";
import type { Jobs } from "../jobs/queue.ts";
import type { AuditWriter } from "./audit/append.ts";

/** What services may use. Built once in main.ts (or a test's app factory). */
export interface Deps {
  db: Db;
  config: GovernorConfig;
  audit: AuditWriter;
  jobs: Jobs;
  /** For immediate answers only (modals, ephemerals, lookups); durable posts go through the outbox. */
  slack: WebClient;
  logger: Logger;
  now: () => Date;
}
