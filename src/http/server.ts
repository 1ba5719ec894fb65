import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { GovernorReceiver } from "../slack/receiver.ts";
import { sendJson } from "./respond.ts";

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export interface HttpRoutes {
  /** HTTP mode only; in Socket Mode Slack traffic does not come here. */
  slack?: GovernorReceiver;
  health: RouteHandler;
  /** /api/v1/* for agent runtimes. */
  api?: RouteHandler;
}

/**
 * One HTTP server for Slack requests, /healthz and the runtime API. It counts
 * in-flight requests so shutdown can wait for them.
 */
export function createHttpServer(routes: HttpRoutes, logger: Logger): Server & { inFlight: () => number } {
  let inFlight = 0;
  const server = createServer(async (req, res) => {
    inFlight++;
    res.on("close", () => inFlight--);
    const url = new URL(req.url ?? "/", "http://localhost");
    try {
      if (url.pathname === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
        return await routes.health(req, res, url);
      }
      if (url.pathname === "/slack/events" && routes.slack) {
        if (req.method !== "POST") return sendJson(res, 405, { error: "method_not_allowed" });
        return await routes.slack.handle(req, res);
      }
      if (url.pathname.startsWith("/api/") && routes.api) return await routes.api(req, res, url);
      sendJson(res, 404, { error: "not_found" });
    } catch (err) {
      logger.error({ err: (err as Error).message, path: url.pathname }, "request failed");
      sendJson(res, 500, { error: "internal_error" });
    }
  });
  server.keepAliveTimeout = 65_000;
  return Object.assign(server, { inFlight: () => inFlight });
}
