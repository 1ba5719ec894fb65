import { z } from "zod";

/**
 * Building blocks of the ADR schema. Every value an outsider can type is
 * bounded here: strings are trimmed and capped, control characters refused,
 * lists capped, objects strict. Messages are written for people ("must be a
 * date like 2026-04-15") because they reach modals and import reports as-is.
 */

export const LIMITS = {
  name: 80,
  shortText: 200,
  longText: 3000,
  owner: 254,
  tools: 30,
  listItems: 50,
  thresholds: 50,
} as const;

export const DEPLOYMENT_ENVIRONMENTS = ["development", "staging", "production"] as const;
export const USER_POPULATIONS = ["internal", "external", "regulated-users"] as const;
export type UserPopulation = (typeof USER_POPULATIONS)[number];
/** EU AI Act risk categories, plus "not_applicable" for agents outside its scope. */
export const EU_AI_ACT_CLASSIFICATIONS = [
  "minimal_risk",
  "limited_risk",
  "high_risk",
  "unacceptable_risk",
  "not_applicable",
] as const;
/** The six lawful bases of GDPR article 6(1). */
export const GDPR_BASES = [
  "consent",
  "contract_performance",
  "legal_obligation",
  "vital_interests",
  "public_task",
  "legitimate_interests",
] as const;

/** C0/C1 controls and the bidi overrides that can disguise text ("Trojan Source"). */
const CONTROL_ANY = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const CONTROL_BUT_NEWLINE_TAB = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

type IssueInput = { input?: unknown };
const required =
  (expected: string) =>
  (iss: IssueInput): string =>
    iss.input === undefined ? "is required" : `must be ${expected}`;

function textTypeError(iss: IssueInput): string {
  if (iss.input === undefined) return "is required";
  if (typeof iss.input === "number" || typeof iss.input === "boolean") {
    return "must be text (in YAML, put the value in quotes)";
  }
  return "must be text";
}

function boundedText(max: number, multiline: boolean) {
  const control = multiline ? CONTROL_BUT_NEWLINE_TAB : CONTROL_ANY;
  const controlMessage = multiline
    ? "must not contain control characters (line breaks and tabs are fine)"
    : "must be a single line without control characters";
  return z
    .string({ error: textTypeError })
    .overwrite((s) => (multiline ? s.replace(/\r\n?/g, "\n") : s))
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !control.test(s), controlMessage);
}

/** A name or identifier: one line, at most 80 characters. */
export const nameText = () => boundedText(LIMITS.name, false);
/** A short answer: one line, at most 200 characters. */
export const shortText = () => boundedText(LIMITS.shortText, false);
/** A paragraph: line breaks and tabs allowed, at most 3000 characters. */
export const longText = () => boundedText(LIMITS.longText, true);

export const yesNo = () => z.boolean({ error: required("true or false") });

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: required(`one of: ${values.join(", ")}`) });
}

export function listOf<T extends z.ZodType>(item: T, max: number = LIMITS.listItems) {
  return z.array(item, { error: required("a list") }).max(max, `must have at most ${max} items`);
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
// Deliberately plain: no quoted local parts, no IP-literal domains. Linear (no nested quantifiers).
const EMAIL =
  /^[^\s@<>()[\]\\,;:"\u0000-\u001F\u007F]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export type OwnerKind = "email" | "slack_user";

/** Tells whether an owner is an e-mail address or a Slack user id; undefined if neither. */
export function ownerKind(value: string): OwnerKind | undefined {
  if (value.length > LIMITS.owner) return undefined;
  if (SLACK_USER_ID.test(value)) return "slack_user";
  if (EMAIL.test(value)) return "email";
  return undefined;
}

export const ownerRef = () =>
  z
    .string({ error: textTypeError })
    .trim()
    .min(1, "must not be empty")
    .max(LIMITS.owner, `must be at most ${LIMITS.owner} characters`)
    .refine((s) => ownerKind(s) !== undefined, "must be an e-mail address or a Slack user id like U012AB3CD");

const DATE_MESSAGE = "must be a date like 2026-04-15";

/** True for YYYY-MM-DD strings naming a day that exists (no 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

export const calendarDate = () =>
  z
    .string({ error: (iss) => (iss.input === undefined ? "is required" : DATE_MESSAGE) })
    .trim()
    .refine(isCalendarDate, DATE_MESSAGE);

export const count = () =>
  z
    .number({ error: required("a number") })
    .int("must be a whole number")
    .min(0, "must be 0 or more")
    .max(Number.MAX_SAFE_INTEGER, "is too large");

/** A metric name used as a map key: letters, digits, _ and -, so dotted paths stay unambiguous. */
const METRIC_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,79}$/;

export const thresholdMap = () =>
  z
    .record(
      z.string().regex(METRIC_KEY, "must be a metric name: letters, digits, _ or -, at most 80 characters"),
      z.number({ error: required("a number") }),
      { error: required("a mapping of metric name to number") },
    )
    .refine(
      (m) => Object.keys(m).length <= LIMITS.thresholds,
      `must have at most ${LIMITS.thresholds} thresholds`,
    );

/** Shortens and cleans a user-supplied key before it is quoted in a message. */
export function safeKey(key: string): string {
  const clean = key.replace(new RegExp(CONTROL_ANY.source, "g"), "");
  return clean.length > 40 ? `${clean.slice(0, 39)}…` : clean;
}

/** A strict mapping: a key it does not know is an error, not silently dropped. */
export function mapping<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === "unrecognized_keys") {
        const keys = iss.keys.map((k) => `"${safeKey(k)}"`).join(", ");
        return `unknown field ${keys}; the fields here are: ${allowed}`;
      }
      return iss.input === undefined ? "is required" : `must be a mapping with the fields: ${allowed}`;
    },
  });
}
