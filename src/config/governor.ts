import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { DEFAULT_SLA } from "../domain/approval.ts";
import { parseIsoDuration } from "../domain/calendar.ts";
import { EMERGENCY_QUORUM_WINDOW_MS, SEVERITY } from "../domain/incident.ts";
import type { ParseResult } from "./env.ts";

/**
 * governor.yaml: who sits where, which channels, which clocks. Parsed with zod
 * once at start-up; every problem is reported as "path: what is wrong".
 */
const userId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, "must be a Slack user id like U012ABCDEF");
const channelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, "must be a Slack channel id like C012ABCDEF");
const usergroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, "must be a Slack user group id like S012ABCDEF");

function isoDurationMs(text: string): number | null {
  try {
    return parseIsoDuration(text);
  } catch {
    return null;
  }
}

export type SlaSetting = { kind: "duration"; ms: number } | { kind: "business_days"; days: number };

const duration = z.string().transform((text, ctx): SlaSetting => {
  const ms = isoDurationMs(text);
  if (ms === null) {
    ctx.addIssue({
      code: "custom",
      message: `"${text}" is not an ISO-8601 duration like PT24H, P3D or PT30S`,
    });
    return z.NEVER;
  }
  return { kind: "duration", ms };
});
const businessDays = z
  .object({ business_days: z.number().int().min(1, "must be at least 1").max(365, "must be at most 365") })
  .strict();
const sla = z.unknown().transform((value, ctx): SlaSetting => {
  if (typeof value === "string") {
    const ms = isoDurationMs(value);
    if (ms !== null) return { kind: "duration", ms };
  } else if (value && typeof value === "object") {
    const parsed = businessDays.safeParse(value);
    if (parsed.success) return { kind: "business_days", days: parsed.data.business_days };
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    return z.NEVER;
  }
  ctx.addIssue({
    code: "custom",
    message: `${JSON.stringify(value)} is not an ISO-8601 duration like PT24H, P3D or PT30S, nor {business_days: N}`,
  });
  return z.NEVER;
});
const durationMs = duration.transform((d) => (d.kind === "duration" ? d.ms : 0));

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const governorSchema = z
  .object({
    channels: z.object({ committee: channelId, oncall: channelId, board: channelId }).strict(),
    committee: z
      .object({
        chair: userId,
        co_chair: userId,
        members: z
          .array(z.object({ user: userId, role: z.string().trim().min(1).max(60) }).strict())
          .max(50)
          .default([]),
      })
      .strict(),
    ciso: userId,
    oncall: z
      .object({ users: z.array(userId).min(1).max(20).optional(), usergroup: usergroupId.optional() })
      .strict()
      .refine((o) => o.users || o.usergroup, "needs users (a list of user ids) or usergroup"),
    calendar: z
      .object({
        timezone: z
          .string()
          .refine(validTimeZone, "must be an IANA time zone like Europe/London")
          .default("UTC"),
        holidays: z
          .string()
          .regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, "must be a country code like US, GB or DE-BY")
          .optional(),
      })
      .strict()
      .default({ timezone: "UTC" }),
    sla: z
      .object({
        tier1: sla.default({ ...DEFAULT_SLA[1] }),
        tier2: sla.default({ ...DEFAULT_SLA[2] }),
        tier3: sla.default({ ...DEFAULT_SLA[3] }),
        tier4: sla.default({ ...DEFAULT_SLA[4] }),
      })
      .strict()
      .prefault({}),
    incident_sla: z
      .object({
        sev1: durationMs.default(SEVERITY.SEV1.responseSlaMs),
        sev2: durationMs.default(SEVERITY.SEV2.responseSlaMs),
        sev3: durationMs.default(SEVERITY.SEV3.responseSlaMs),
      })
      .strict()
      .prefault({}),
    quorum_deadline: durationMs.default(EMERGENCY_QUORUM_WINDOW_MS),
    policy_file: z.string().min(1).optional(),
  })
  .strict();

export type GovernorConfig = Readonly<z.infer<typeof governorSchema>>;

export function parseGovernorConfig(input: unknown): ParseResult<GovernorConfig> {
  const result = governorSchema.safeParse(input);
  if (result.success) return { ok: true, value: Object.freeze(result.data) };
  return {
    ok: false,
    problems: result.error.issues.map((i) => {
      const where = i.path.length ? i.path.join(".") : "governor.yaml";
      return `${where}: ${i.message}`;
    }),
  };
}

export function loadGovernorConfig(path: string): ParseResult<GovernorConfig> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "not found (copy governor.example.yaml and fill it in)" : `unreadable (${code})`;
    return { ok: false, problems: [`GOVERNOR_CONFIG ${path}: ${why}`] };
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 20, prettyErrors: true });
  } catch (err) {
    const first = String((err as Error).message).split("\n")[0];
    return { ok: false, problems: [`${path}: not valid YAML: ${first}`] };
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    return { ok: false, problems: [`${path}: must be a mapping with channels, committee, ciso, oncall …`] };
  }
  return parseGovernorConfig(doc);
}
