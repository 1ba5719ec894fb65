import { z } from "zod";
import { MANDATORY_EVENTS } from "../../domain/audit.ts";
import type { Deps } from "../../services/deps.ts";
import { ingestRuntimeEvents } from "../../services/runtime/ingest-events.ts";
import { BodyTooLarge, readBody, sendJson } from "../respond.ts";
import type { RouteHandler } from "../server.ts";
import { bearerAgent } from "./auth.ts";

export const MAX_EVENTS_PER_BATCH = 1000;
export const MAX_EVENT_DATA_BYTES = 64 * 1024;

/**
 * Strict objects: an unknown key is refused rather than ignored, so a typo
 * such as `senstive: true` cannot silently store content in clear.
 */
const runtimeEventSchema = z.strictObject({
  event_type: z.enum(MANDATORY_EVENTS, { error: `must be one of: ${MANDATORY_EVENTS.join(", ")}` }),
  session_id: z.string().min(1, "must not be empty").max(200, "must be at most 200 characters"),
  user_id: z.string().min(1, "must not be empty").max(200, "must be at most 200 characters").optional(),
  timestamp: z.iso.datetime({ offset: true, error: "must be an ISO-8601 date-time" }).optional(),
  data: z
    .record(z.string(), z.unknown(), { error: "must be an object" })
    .refine((d) => Buffer.byteLength(JSON.stringify(d)) <= MAX_EVENT_DATA_BYTES, {
      error: `must be at most ${MAX_EVENT_DATA_BYTES} bytes as JSON`,
    })
    .optional(),
  sensitive: z.boolean().optional(),
});

const batchSchema = z.strictObject({
  events: z
    .array(runtimeEventSchema)
    .min(1, "must hold at least one event")
    .max(MAX_EVENTS_PER_BATCH, `must hold at most ${MAX_EVENTS_PER_BATCH} events`),
});

/** At most this many issues in a 422 (a batch of 1000 bad events would otherwise echo 1000). */
const MAX_ISSUES = 100;

/**
 * POST /api/v1/audit/events: a runtime reports the framework's mandatory
 * events; they are appended to its agent's chain (202 with the seqs), or
 * nothing is written at all (401, 400, 413, 422).
 */
export function auditEventsRoute(deps: Deps): RouteHandler {
  return async (req, res) => {
    const auth = await bearerAgent(deps, req);
    if (!auth) {
      res.setHeader("www-authenticate", 'Bearer realm="agov"');
      return sendJson(res, 401, { error: "invalid_token" });
    }
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLarge) return sendJson(res, 413, { error: "body_too_large" });
      throw err;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return sendJson(res, 400, { error: "invalid_json" });
    }
    const parsed = batchSchema.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, MAX_ISSUES)
        .map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
      return sendJson(res, 422, { error: "invalid_body", issues });
    }
    const result = await ingestRuntimeEvents(deps, { agentId: auth.agentId }, parsed.data.events);
    sendJson(res, 202, result);
  };
}
