import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { View } from "@slack/types";
import { type ViewsOpenResponse, type WebClient, WebAPIPlatformError } from "@slack/web-api";

/** A view already serialised to Slack's JSON, for views that are the same for everyone. */
export interface SerializedView {
  readonly json: string;
}

export function serializeView(view: View): SerializedView {
  return Object.freeze({ json: JSON.stringify(view) });
}

const agents = {
  "http:": new HttpAgent({ keepAlive: true }),
  "https:": new HttpsAgent({ keepAlive: true }),
};

/** Past this, the trigger (3 s) is long gone: give up on the fast path. */
const TIMEOUT_MS = 10_000;

/**
 * views.open on the trigger's 3-second clock, sent lean: one JSON POST on a
 * kept-alive connection. WebClient spends about 1 ms of CPU per views.open
 * (it serialises and redacts the whole view, and the view Slack echoes back,
 * for a debug log line whatever the log level, and goes through fetch), which
 * made it the largest cost of /agent-request.
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
 * no use here, so a success is told from its first bytes without parsing it.
 */
const OPENED = Symbol("opened");
const OK_PREFIX = Buffer.from('{"ok":true');

/** A 200 response's body (OPENED for a plain success); rejects on anything else. */
function post(url: string, token: string | undefined, body: string): Promise<string | typeof OPENED> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: "POST",
        agent: target.protocol === "https:" ? agents["https:"] : agents["http:"],
        timeout: TIMEOUT_MS,
        headers: {
          "content-type": "application/json; charset=utf-8",
          "content-length": Buffer.byteLength(body),
          accept: "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => readAnswer(res).then(resolve, reject),
    );
    req.on("timeout", () => req.destroy(new Error("views.open timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

function readAnswer(res: IncomingMessage): Promise<string | typeof OPENED> {
  return new Promise((resolve, reject) => {
    if (res.statusCode !== 200) {
      res.resume();
      reject(new Error(`views.open answered HTTP ${res.statusCode}`));
      return;
    }
    const chunks: Buffer[] = [];
    res.on("data", (chunk: Buffer) => chunks.push(chunk));
    res.on("error", reject);
    res.on("end", () => {
      const answer = Buffer.concat(chunks);
      resolve(answer.subarray(0, OK_PREFIX.length).equals(OK_PREFIX) ? OPENED : answer.toString("utf8"));
    });
  });
}
