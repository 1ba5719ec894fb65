import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Slack request signing (https://api.slack.com/authentication/verifying-requests-from-slack).
 * Base string `v0:{timestamp}:{raw body}`, signature `v0=` + hex HMAC-SHA256 keyed with the signing secret.
 */

export type SlackVerifyFailure = "missing_headers" | "stale" | "bad_signature";
export type SlackVerifyResult = { ok: true } | { ok: false; reason: SlackVerifyFailure };

/** A header value as Node's `IncomingMessage.headers` may hold it. */
export type HeaderValue = string | readonly string[] | null | undefined;

export interface VerifySlackRequestInput {
  secret: string;
  /** X-Slack-Request-Timestamp (seconds since epoch, as sent). */
  timestamp: HeaderValue;
  /** X-Slack-Signature (`v0=<64 hex>`). */
  signature: HeaderValue;
  /** The exact bytes Slack signed; never a re-serialised body. */
  rawBody: string | Buffer;
  /** Current time in seconds; defaults to the wall clock. */
  nowSeconds?: number;
  /** Largest accepted |now − timestamp|, in seconds (either direction). */
  maxSkewSeconds?: number;
}

const SIGNATURE_RE = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP_RE = /^\d{1,15}$/;

export function computeSlackSignature(secret: string, timestamp: string, rawBody: string | Buffer): string {
  const hmac = createHmac("sha256", secret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest("hex")}`;
}

function headerString(value: HeaderValue): string | undefined {
  if (typeof value === "string") return value.trim() === "" ? undefined : value.trim();
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === "string")
    return headerString(value[0]);
  return undefined;
}

/**
 * Verifies a Slack request. Never throws on hostile input: absent, empty, duplicated or non-numeric
 * headers give `missing_headers`; skew beyond `maxSkewSeconds` in the past OR the future gives `stale`;
 * anything that is not exactly the expected `v0=` digest gives `bad_signature` (compared in constant time).
 */
export function verifySlackRequest(input: VerifySlackRequestInput): SlackVerifyResult {
  const { secret, rawBody, maxSkewSeconds = 300 } = input;
  const timestamp = headerString(input.timestamp);
  const signature = headerString(input.signature);
  if (timestamp === undefined || signature === undefined || !TIMESTAMP_RE.test(timestamp)) {
    return { ok: false, reason: "missing_headers" };
  }

  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  const skew = Math.abs(now - Number(timestamp));
  if (!Number.isFinite(skew) || skew > maxSkewSeconds) return { ok: false, reason: "stale" };

  // An empty secret is a misconfiguration: never accept anything signed with it.
  if (typeof secret !== "string" || secret === "") return { ok: false, reason: "bad_signature" };
  if (typeof rawBody !== "string" && !Buffer.isBuffer(rawBody)) return { ok: false, reason: "bad_signature" };
  if (!SIGNATURE_RE.test(signature)) return { ok: false, reason: "bad_signature" };

  const expected = Buffer.from(computeSlackSignature(secret, timestamp, rawBody), "utf8");
  const given = Buffer.from(signature, "utf8");
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: "bad_signature" };
  }
  return { ok: true };
}
