import type { IncomingMessage, ServerResponse } from "node:http";
import type { App, Receiver, ReceiverEvent } from "@slack/bolt";
import type { Logger } from "pino";
import { BodyTooLarge, readBody, sendJson } from "../http/respond.ts";
import { verifySlackRequest } from "./signature.ts";

/** Slack wants an answer within 3 s; past this we answer empty rather than let Slack show an error. */
const ACK_DEADLINE_MS = 2800;

/**
 * Our own Bolt receiver for HTTP mode: it verifies the signature (and,
 * unlike Bolt's, refuses timestamps skewed either way), parses the body,
 * and hands the event to Bolt with an ack that writes the HTTP answer.
 * It shares the one HTTP server with /healthz and the runtime API.
 */
export class GovernorReceiver implements Receiver {
  private app: App | undefined;

  constructor(
    private readonly signingSecret: string,
    private readonly logger: Logger,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLarge) return sendJson(res, 413, { error: "body_too_large" });
      throw err;
    }
    const verdict = verifySlackRequest({
      secret: this.signingSecret,
      timestamp: header(req, "x-slack-request-timestamp"),
      signature: header(req, "x-slack-signature"),
      rawBody: raw,
      nowSeconds: this.nowSeconds(),
    });
    if (!verdict.ok) {
      this.logger.warn({ reason: verdict.reason }, "refused a Slack request that failed verification");
      return sendJson(res, 401, { error: "invalid_signature", reason: verdict.reason });
    }
    const body = parseBody(raw, header(req, "content-type") ?? "");
    if (!body) return sendJson(res, 400, { error: "unparsable_body" });
    if (body.ssl_check) return sendJson(res, 200, {});
    if (body.type === "url_verification") return sendJson(res, 200, { challenge: body.challenge });

    let acked = false;
    const answer = (response: unknown) => {
      if (acked || res.headersSent) return;
      acked = true;
      if (response === undefined || response === null || response === "") {
        res.writeHead(200, { "content-length": "0" });
        res.end();
      } else if (typeof response === "string") {
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        res.end(response);
      } else sendJson(res, 200, response);
    };
    const timer = setTimeout(() => {
      if (!acked)
        this.logger.error({ type: body.type ?? body.command }, "no ack within 2.8 s; answering empty");
      answer(undefined);
    }, ACK_DEADLINE_MS);
    const retryNum = header(req, "x-slack-retry-num");
    const retryReason = header(req, "x-slack-retry-reason");
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => answer(response),
      ...(retryNum ? { retryNum: Number(retryNum) } : {}),
      ...(retryReason ? { retryReason } : {}),
    };
    try {
      await this.app!.processEvent(event);
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, "unhandled error while processing a Slack request");
      if (!acked) {
        acked = true;
        sendJson(res, 500, { error: "internal_error" });
      }
    } finally {
      clearTimeout(timer);
      answer(undefined);
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

type Body = Record<string, unknown> & {
  type?: string;
  command?: string;
  challenge?: unknown;
  ssl_check?: unknown;
};

function parseBody(raw: string, contentType: string): Body | null {
  try {
    if (contentType.startsWith("application/json")) {
      const parsed: unknown = JSON.parse(raw);
      return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Body) : null;
    }
    if (contentType.startsWith("application/x-www-form-urlencoded")) {
      const form = Object.fromEntries(new URLSearchParams(raw));
      if (typeof form.payload === "string") {
        const parsed: unknown = JSON.parse(form.payload);
        return parsed && typeof parsed === "object" ? (parsed as Body) : null;
      }
      return form as Body;
    }
  } catch {
    return null;
  }
  return null;
}
