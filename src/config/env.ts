import { z } from "zod";

/**
 * Environment settings. Parsed once in main.ts and frozen; nothing else reads
 * process.env. Secrets are never echoed in problem messages.
 */
const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const envSchema = z
  .object({
    SLACK_BOT_TOKEN: z
      .string({ error: "is required (the bot token, xoxb-…, from OAuth & Permissions)" })
      .regex(/^xox[bp]-/, "must be a bot token starting with xoxb-"),
    SLACK_SIGNING_SECRET: z
      .string({ error: "is required (Basic Information → App Credentials → Signing Secret)" })
      .min(8, "looks too short to be a signing secret"),
    SLACK_APP_TOKEN: z
      .string()
      .regex(/^xapp-/, "must be an app-level token starting with xapp- (or unset for HTTP mode)")
      .optional(),
    SLACK_API_URL: z
      .url({ error: "must be a URL such as https://slack.com/api/" })
      .transform((u) => (u.endsWith("/") ? u : `${u}/`))
      .optional(),
    PORT: z.coerce
      .number({ error: "must be a port number" })
      .int("must be a whole number")
      .min(0, "must be between 0 and 65535")
      .max(65535, "must be between 0 and 65535")
      .default(3000),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL (or unset for the embedded database)")
      .optional(),
    PGLITE_DIR: z.string().min(1).default("./data"),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
      .default("redis://127.0.0.1:6379"),
    GOVERNOR_CONFIG: z.string().min(1, "must be a file path").default("./governor.yaml"),
    AUDIT_HMAC_KEY: z.string().min(32, "must be at least 32 characters of random data").optional(),
    LOG_LEVEL: z.enum(logLevels, { error: `must be one of: ${logLevels.join(", ")}` }).default("info"),
    NODE_ENV: z.string().optional(),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, "may only contain letters, digits, - and _")
      .default("agov"),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && !env.AUDIT_HMAC_KEY) {
      ctx.addIssue({
        code: "custom",
        path: ["AUDIT_HMAC_KEY"],
        message: "is required when NODE_ENV=production (pseudonymises user ids in the audit trail)",
      });
    }
  });

export type Env = Readonly<z.infer<typeof envSchema>>;

/** A development-only key; main.ts warns loudly whenever it is used. */
export const DEV_AUDIT_HMAC_KEY = "agent-governor-development-key-do-not-use-in-production";

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

export function parseEnv(source: Record<string, string | undefined>): ParseResult<Env> {
  // Empty strings count as unset, as in most .env tooling.
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) if (v !== undefined && v !== "") cleaned[k] = v;
  const result = envSchema.safeParse(cleaned);
  if (result.success) return { ok: true, value: Object.freeze(result.data) };
  return {
    ok: false,
    problems: result.error.issues.map((i) => `${i.path.join(".") || "environment"} ${i.message}`),
  };
}
