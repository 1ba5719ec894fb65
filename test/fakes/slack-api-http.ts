/** HTTP plumbing of the fake Slack: body parsing as the Web API accepts it, and diagnostics. */
import type { IncomingMessage } from "node:http";
import type { Args } from "./slack-api-state.ts";

/** Form values that are plain text even when they look like JSON. */
const FORM_TEXT_KEYS = new Set([
  "text",
  "markdown_text",
  "name",
  "title",
  "query",
  "email",
  "private_metadata",
]);

export function parseBody(raw: string, contentType: string | undefined): Args {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  const looksJson = type !== "application/x-www-form-urlencoded" && /^\s*\{/.test(raw);
  if (type === "application/json" || looksJson) {
    const parsed: unknown = raw === "" ? {} : JSON.parse(raw);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Args) : {};
  }
  const args: Args = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = value;
    if (FORM_TEXT_KEYS.has(key) || !/^\s*[[{]/.test(value)) continue;
    try {
      args[key] = JSON.parse(value);
    } catch {
      // not JSON: keep the string
    }
  }
  return args;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

export function describeCalls(calls: { method: string; ok: boolean; error?: string }[]): string {
  if (calls.length === 0) return "none";
  return calls.map((c) => (c.ok ? c.method : `${c.method}(${c.error ?? "failed"})`)).join(", ");
}
