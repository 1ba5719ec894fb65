import { type WebAPICallResult, type WebClient, WebAPIPlatformError } from "@slack/web-api";
import { keepAliveFetch } from "./http-fetch.ts";

/** Kept-alive connections to Slack for the lean calls (the same transport as the app's Web API client). */
export const leanTransport = keepAliveFetch();

/** The headers of a Web API call with a JSON body, with the bot token when there is one. */
export function jsonHeaders(token: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    accept: "application/json",
  };
  if (token) headers.authorization = `Bearer ${token}`;
  return headers;
}

/** Past this, a lean call gives up and the client's own call takes over. */
const TIMEOUT_MS = 10_000;
/** The longest Retry-After a lean call waits for before handing over (the client waits for longer ones itself). */
const MAX_WAIT_MS = 30_000;

/**
 * A Web API method called lean: one JSON POST on a kept-alive connection,
 * with the client's token and API URL. Through WebClient a call costs about
 * twice the CPU (its request queue, retry wrapper, header building and the
 * redaction of every argument for a debug log line, whatever the log
 * level), and the outbox makes one call per Slack message: for a burst of
 * reminders, the client was the largest single cost.
 *
 * Slack's answer means the same as through WebClient: `ok: false` throws
 * WebAPIPlatformError (so an error code is handled the same way). Anything
 * short of an answer (a network error, a timeout, a 5xx status) goes on to
 * `client.apiCall`, so its retry and rate-limit policy still applies; a 429
 * first waits for its Retry-After.
 */
export async function leanCall<T extends WebAPICallResult>(
  client: WebClient,
  method: string,
  args: Record<string, unknown>,
): Promise<T> {
  const answer = await leanTransport
    .post(`${client.slackApiUrl}${method}`, jsonHeaders(client.token), JSON.stringify(args), TIMEOUT_MS)
    .catch(() => undefined);
  if (answer?.status === 200) {
    const result = JSON.parse(answer.body.toString("utf8")) as T;
    if (!result.ok) throw new WebAPIPlatformError(result as T & { error: string });
    return result;
  }
  if (answer?.status === 429) {
    const seconds = Number(answer.headers["retry-after"] ?? 1);
    const waitMs = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
    if (waitMs <= MAX_WAIT_MS) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
  return (await client.apiCall(method, args)) as T;
}
