import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.ts";

/**
 * The one sanitiser for audit event data (the framework's
 * _sanitize_event_data, made recursive and applied to every event):
 *
 * - credentials are ALWAYS replaced by "[REDACTED]": a key whose last word is
 *   a credential word (password, secret, token, api key, private key,
 *   authorization, cookie, …; camelCase, snake_case and kebab-case alike), and
 *   well-known secret shapes inside any string (Slack/GitHub/OpenAI tokens,
 *   AWS key ids, JWTs, Bearer/Basic headers, PEM private keys, passwords in URLs);
 * - for sensitive events, content-like values (content, prompt, input, output,
 *   response, …) are replaced by their sha256 under `<key>_hash`: the hex
 *   digest of the original UTF-8 string (so whoever holds the content can prove
 *   it was what was logged), or of the canonical JSON of a non-string value;
 * - the result is exactly what Postgres jsonb stores and gives back, so the
 *   hash computed before the insert matches the one an auditor recomputes from
 *   the stored row: NUL characters and lone UTF-16 surrogates (which jsonb
 *   refuses) become U+FFFD, Dates (anything with toJSON) become their JSON form.
 */
export function sanitiseEventData(data: unknown, sensitive: boolean): unknown {
  if (typeof data === "string") return redactSecretsInText(jsonbSafe(data));
  if (Array.isArray(data)) return data.map((v) => sanitiseEventData(v, sensitive));
  if (data === null || typeof data !== "object") return data;
  const toJson = (data as { toJSON?: unknown }).toJSON;
  if (typeof toJson === "function") return sanitiseEventData(toJson.call(data), sensitive);
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(data as Record<string, unknown>)) {
    if (value === undefined) continue;
    const key = jsonbSafe(rawKey);
    if (isCredentialKey(key)) out[key] = REDACTED;
    else if (sensitive && CONTENT_KEYS.has(key.toLowerCase()) && value !== null) {
      out[`${key}_hash`] = contentHash(typeof value === "string" ? value : sanitiseEventData(value, false));
    } else out[key] = sanitiseEventData(value, sensitive);
  }
  return out;
}

export const REDACTED = "[REDACTED]";

const CREDENTIAL_WORDS = new Set([
  "password",
  "passwords",
  "passwd",
  "passphrase",
  "pwd",
  "secret",
  "secrets",
  "token",
  "credential",
  "credentials",
  "authorization",
  "cookie",
  "cookies",
  "apikey",
  "privatekey",
]);
/** "<qualifier> key" is a credential: api_key, privateKey, x-api-key, secret-key, aws_secret_access_key. */
const KEY_QUALIFIERS = new Set(["api", "private", "secret", "access", "signing", "encryption", "client"]);

/** Words of a key: `awsSecretAccessKey`, `aws_secret_access_key`, `AWS-Secret-Access-Key` → aws secret access key. */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Keys repeat across events: remember the verdicts (bounded, so hostile keys cannot grow it). */
const verdicts = new Map<string, boolean>();

/** Only the LAST word counts, so `max_tokens` and `token_count` (usage figures) stay readable. */
export function isCredentialKey(key: string): boolean {
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    if (verdicts.size >= 2000) verdicts.clear();
    verdict = credentialKey(key);
    verdicts.set(key, verdict);
  }
  return verdict;
}

function credentialKey(key: string): boolean {
  const words = keyWords(key);
  const last = words.at(-1);
  if (!last) return false;
  if (CREDENTIAL_WORDS.has(last)) return true;
  return last === "key" && words.length > 1 && KEY_QUALIFIERS.has(words.at(-2)!);
}

const CONTENT_KEYS = new Set([
  "content",
  "prompt",
  "input",
  "output",
  "response",
  "completion",
  "body",
  "text",
  "message",
  "messages",
  "message_text",
  "query",
]);

const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, REDACTED],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  [/\bxox[abposr]-[A-Za-z0-9-]{8,}/g, REDACTED],
  [/\bxapp-[A-Za-z0-9-]{8,}/g, REDACTED],
  [/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, REDACTED],
  [/\bsk-[A-Za-z0-9_-]{20,}/g, REDACTED],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, REDACTED],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${REDACTED}@`],
];

/** One pass that finds any candidate (a superset of the patterns): most strings hold no secret. */
const ANY_SECRET = new RegExp(SECRET_PATTERNS.map(([p]) => p.source).join("|"), "i");

export function redactSecretsInText(s: string): string {
  if (!ANY_SECRET.test(s)) return s;
  let out = s;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** jsonb refuses \u0000 and lone surrogates; replace them so what is hashed is what is stored. */
function jsonbSafe(s: string): string {
  return s.replace(
    /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    "\uFFFD",
  );
}

function contentHash(value: unknown): string {
  const text = typeof value === "string" ? value : canonicalJson(value);
  return createHash("sha256").update(text, "utf8").digest("hex");
}
