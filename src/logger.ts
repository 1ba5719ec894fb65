import { pino, type Logger } from "pino";

/** Secrets never reach logs: every path that could hold one is censored. */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "botToken",
  "*.botToken",
  "appToken",
  "signingSecret",
  "*.signingSecret",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "req.headers.authorization",
  'headers["x-slack-signature"]',
  "password",
  "*.password",
  "AUDIT_HMAC_KEY",
  "SLACK_BOT_TOKEN",
  "SLACK_SIGNING_SECRET",
  "SLACK_APP_TOKEN",
  "DATABASE_URL",
];

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: REDACT_PATHS, censor: "[REDACTED]" },
    base: { app: "agent-governor" },
  });
}
