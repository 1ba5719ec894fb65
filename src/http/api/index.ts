import type { Deps } from "../../services/deps.ts";
import { sendJson } from "../respond.ts";
import type { RouteHandler } from "../server.ts";
import { auditEventsRoute } from "./audit-events.ts";

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * The runtime API (/api/v1/*): exact paths, each with its methods. Unknown
 * paths answer JSON 404, known paths with another method 405 with `Allow`.
 * Each endpoint adds one line here.
 */
export function apiRoutes(deps: Deps): RouteHandler {
  const routes = new Map<string, Partial<Record<Method, RouteHandler>>>([
    ["/api/v1/audit/events", { POST: auditEventsRoute(deps) }],
  ]);
  return async (req, res, url) => {
    const route = routes.get(url.pathname);
    if (!route) return sendJson(res, 404, { error: "not_found" });
    const method = (req.method ?? "GET") as Method;
    const handler = Object.hasOwn(route, method) ? route[method] : undefined;
    if (!handler) {
      res.setHeader("allow", Object.keys(route).join(", "));
      return sendJson(res, 405, { error: "method_not_allowed" });
    }
    return handler(req, res, url);
  };
}
