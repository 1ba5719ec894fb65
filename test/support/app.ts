import { pino } from "pino";
import { parseEnv } from "../../src/config/env.ts";
import { type GovernorConfig, parseGovernorConfig } from "../../src/config/governor.ts";
import { type Governor, startGovernor } from "../../src/governor.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack-api.ts";
import { createTestDatabase } from "./pg.ts";
import { SlackClientSim } from "./slack-requests.ts";
import { deleteQueueKeys } from "./queue-keys.ts";

export const SIGNING_SECRET = "test-signing-secret-0123456789";
export const BOT_TOKEN = "xoxb-test-token";
export const HMAC_KEY = "test-audit-hmac-key-0123456789abcdef";

/** The people and channels of the default test workspace. */
export const PEOPLE = {
  chair: "UCHAIR0001",
  coChair: "UCOCHAIR01",
  engineering: "UENG000001",
  business: "UBIZ000001",
  ethics: "UETHICS001",
  ciso: "UCISO00001",
  oncall: "UONCALL001",
  requester: "UREQ000001",
  techOwner: "UTECH00001",
  steward: "USTEWARD01",
  outsider: "UOUTSIDE01",
} as const;

export const CHANNELS = { committee: "CCOMMITTEE", oncall: "CONCALL001", board: "CBOARD0001" } as const;

/** governor.yaml for tests, as YAML would give it (before zod). Override any part. */
export function testGovernorYaml(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    channels: { ...CHANNELS },
    committee: {
      chair: PEOPLE.chair,
      co_chair: PEOPLE.coChair,
      members: [
        { user: PEOPLE.engineering, role: "engineering" },
        { user: PEOPLE.business, role: "business_unit" },
        { user: PEOPLE.ethics, role: "ethics" },
      ],
    },
    ciso: PEOPLE.ciso,
    oncall: { users: [PEOPLE.oncall] },
    calendar: { timezone: "UTC" },
    ...overrides,
  };
}

/**
 * The environment of the app run as a process of its own (tests that kill or
 * build it, benchmarks), against the fake Slack, the local Redis and, when
 * given, a Postgres database; without one it uses the embedded database.
 */
export function appProcessEnv(opts: {
  slackApiUrl: string;
  configPath: string;
  queuePrefix: string;
  databaseUrl?: string;
  port?: number;
}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: opts.slackApiUrl,
    GOVERNOR_CONFIG: opts.configPath,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    AUDIT_HMAC_KEY: HMAC_KEY,
    QUEUE_PREFIX: opts.queuePrefix,
    LOG_LEVEL: "warn",
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
    ...(opts.port ? { PORT: String(opts.port) } : {}),
  };
}

export interface TestApp {
  governor: Governor;
  fake: FakeSlack;
  slack: SlackClientSim;
  config: GovernorConfig;
  databaseUrl: string;
  queuePrefix: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  yaml?: Record<string, unknown>;
  now?: () => Date;
  worker?: boolean;
  /** Reuse an existing database (e.g. to restart the app on the same data). */
  databaseUrl?: string;
  /** Reuse an existing fake Slack. */
  fake?: FakeSlack;
  queuePrefix?: string;
  env?: Record<string, string>;
}

/**
 * Starts the real app in-process: its own Postgres database (cloned from the
 * migrated template), an isolated BullMQ prefix on the real Redis, and the
 * fake Slack Web API. Tests drive it with signed requests, as Slack would.
 */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const ownDb = opts.databaseUrl ? null : await createTestDatabase();
  const databaseUrl = opts.databaseUrl ?? ownDb!.url;
  const fake = opts.fake ?? (await startFakeSlack({ users: defaultUsers() }));
  const queuePrefix = opts.queuePrefix ?? `agovtest${Math.random().toString(36).slice(2, 10)}`;
  const env = parseEnv({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    AUDIT_HMAC_KEY: HMAC_KEY,
    PORT: "0",
    QUEUE_PREFIX: queuePrefix,
    LOG_LEVEL: "silent",
    ...opts.env,
  });
  if (!env.ok) throw new Error(env.problems.join("\n"));
  const config = parseGovernorConfig(opts.yaml ?? testGovernorYaml());
  if (!config.ok) throw new Error(config.problems.join("\n"));
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const governor = await startGovernor({
    env: env.value,
    config: config.value,
    logger,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.worker === false ? { worker: false } : {}),
  });
  const slack = new SlackClientSim({ appUrl: governor.url, signingSecret: SIGNING_SECRET, fake });
  return {
    governor,
    fake,
    slack,
    config: config.value,
    databaseUrl,
    queuePrefix,
    async close() {
      await governor.close(5000);
      if (!opts.queuePrefix) await deleteQueueKeys(queuePrefix);
      if (!opts.fake) await fake.close();
      if (ownDb) await ownDb.drop();
    },
  };
}

export function defaultUsers() {
  return Object.entries(PEOPLE).map(([name, id]) => ({
    id,
    name,
    real_name: name,
    email: `${name.toLowerCase()}@example.com`,
    tz: "UTC",
    tz_offset: 0,
  }));
}
