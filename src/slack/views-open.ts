import type { View } from "@slack/types";
import { type ViewsOpenResponse, type WebClient, WebAPIPlatformError } from "@slack/web-api";
import { jsonHeaders, leanTransport } from "./lean-call.ts";

/** A view already serialised to Slack's JSON, for views that are the same for everyone. */
export interface SerializedView {
  readonly json: string;
}

export function serializeView(view: View): SerializedView {
  return Object.freeze({ json: JSON.stringify(view) });
}

/** Past this, the trigger (3 s) is long gone: give up on the fast path. */
const TIMEOUT_MS = 10_000;

/**
 * views.open on the trigger's 3-second clock, sent lean: one JSON POST on a
 * kept-alive connection. WebClient spends about 1 ms of CPU per views.open
 * (it serialises and redacts the whole view, and the view Slack echoes back,
 * for a debug log line whatever the log level), which made it the largest
 * cost of /agent-request.
 *
 * Slack's answer means the same as through WebClient: `ok: false` throws
 * WebAPIPlatformError. Anything short of an answer (a network error, a
 * timeout, a 429 or 5xx status) goes on to `client.views.open`, so its retry
 * and rate-limit policy still applies.
 */
export async function openView(
  client: WebClient,
  triggerId: string,
  view: View | SerializedView,
): Promise<void> {
  const json = "json" in view ? view.json : JSON.stringify(view);
  const body = `{"trigger_id":${JSON.stringify(triggerId)},"view":${json}}`;
  const answer = await post(`${client.slackApiUrl}views.open`, client.token, body).catch(() => undefined);
  if (answer === undefined) {
    await client.apiCall("views.open", { trigger_id: triggerId, view: json });
    return;
  }
  if (answer === OPENED) return;
  const result = JSON.parse(answer) as ViewsOpenResponse;
  if (!result.ok) throw new WebAPIPlatformError(result as ViewsOpenResponse & { error: string });
}

/**
 * Slack's answers start with `"ok"`; the view it echoes back (a few KB) is of
 * no use here, so a success is told from its first characters without parsing it.
 */
const OPENED = Symbol("opened");
const OK_PREFIX = '{"ok":true';

/** A 200 response's body (OPENED for a plain success); rejects on anything else. */
async function post(url: string, token: string | undefined, body: string): Promise<string | typeof OPENED> {
  const res = await leanTransport.post(url, jsonHeaders(token), body, TIMEOUT_MS);
  if (res.status !== 200) throw new Error(`views.open answered HTTP ${res.status}`);
  const answer = res.body.toString("utf8");
  return answer.startsWith(OK_PREFIX) ? OPENED : answer;
}
