import {
  Agent as HttpAgent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request as httpRequest,
  STATUS_CODES,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";

export interface KeepAliveFetch {
  fetch: typeof fetch;
  /** The same transport without the fetch API around it: a POST with a string body, buffered. */
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<RawAnswer>;
  /** Closes the pooled connections (at shutdown). */
  close(): void;
}

/** A buffered (and decoded) HTTP answer. */
export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * The Web API client's transport: node:http(s) over keep-alive agents. Node's
 * built-in fetch costs about three times the CPU of a plain request per
 * Slack call, and the outbox makes one or two calls per message, which made
 * the client the largest part of a timer's cost (see the README's timer
 * figures). It implements what WebClient uses: a request with a string body,
 * and a buffered response with status, headers, text() and json(). Other
 * bodies (multipart uploads) go to the built-in fetch.
 */
export function keepAliveFetch(maxSockets = 50): KeepAliveFetch {
  const agents = {
    "http:": new HttpAgent({ keepAlive: true, maxSockets }),
    "https:": new HttpsAgent({ keepAlive: true, maxSockets }),
  };
  const send = (
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | null | undefined,
    timeoutMs?: number,
  ): Promise<RawAnswer> => {
    const agent = agents[url.protocol as keyof typeof agents];
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    const attempt = (resolve: (r: RawAnswer) => void, reject: (err: unknown) => void, retries: number) => {
      const req = request(url, { method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (err) => {
          clearTimeout(timer);
          reject(err);
        });
        res.on("end", () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: decode(res, Buffer.concat(chunks)),
          });
        });
      });
      // A plain timer: a fraction of the cost of an AbortSignal.timeout per call.
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref();
      req.on("error", (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        // A pooled connection the server closed while idle (WebClient would resend after a back-off).
        if (req.reusedSocket && STALE_SOCKET.has(err.code ?? "") && retries > 0 && !signal?.aborted)
          attempt(resolve, reject, retries - 1);
        else reject(new TypeError("fetch failed", { cause: err }));
      });
      if (signal) {
        if (signal.aborted) req.destroy(signal.reason as Error);
        else signal.addEventListener("abort", () => req.destroy(signal.reason as Error), { once: true });
      }
      req.end(body);
    };
    return new Promise<RawAnswer>((resolve, reject) => attempt(resolve, reject, 2));
  };
  const fetchLike = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (input instanceof Request || (init.body != null && typeof init.body !== "string"))
      return fetch(input, init);
    const url = typeof input === "string" ? new URL(input) : input;
    if (!(url.protocol in agents)) return fetch(input, init);
    const answer = await send(
      url,
      init.method ?? "GET",
      plainHeaders(init.headers),
      init.body ?? undefined,
      init.signal,
    );
    return bufferedResponse(url.href, answer);
  };
  return {
    fetch: fetchLike as typeof fetch,
    post(url, headers, body, timeoutMs) {
      return send(parsed(url), "POST", { ...headers }, body, undefined, timeoutMs);
    },
    close() {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  };
}

const STALE_SOCKET = new Set(["ECONNRESET", "EPIPE"]);

/** Parsed URLs of the few endpoints posted to (Web API methods), kept: parsing one costs more than the rest of a request's setup. */
const urls = new Map<string, URL>();
function parsed(url: string): URL {
  let u = urls.get(url);
  if (!u) {
    if (urls.size >= 256) urls.clear();
    u = new URL(url);
    urls.set(url, u);
  }
  return u;
}

function plainHeaders(headers: RequestInit["headers"]): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers || Array.isArray(headers)) return Object.fromEntries(new Headers(headers));
  return { ...(headers as Record<string, string>) };
}

function decode(res: IncomingMessage, raw: Buffer): Buffer {
  switch (res.headers["content-encoding"]) {
    case "gzip":
      return gunzipSync(raw);
    case "deflate":
      return inflateSync(raw);
    case "br":
      return brotliDecompressSync(raw);
    default:
      return raw;
  }
}

/** The part of a fetch Response that a buffered body supports. */
function bufferedResponse(url: string, { status, headers: raw, body }: RawAnswer): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  const response = {
    url,
    status,
    statusText: STATUS_CODES[status] ?? "",
    ok: status >= 200 && status < 300,
    redirected: false,
    headers,
    bodyUsed: false,
    text: async () => body.toString("utf8"),
    json: async () => JSON.parse(body.toString("utf8")) as unknown,
    arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength),
  };
  return response as unknown as Response;
}
