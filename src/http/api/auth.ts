import type { IncomingMessage } from "node:http";
import type { Deps } from "../../services/deps.ts";
import { authenticateAgentToken } from "../../services/runtime/tokens.ts";

const BEARER = /^Bearer +(\S+) *$/i;

/** The agent an `Authorization: Bearer <token>` header speaks for, or null (missing, malformed, unknown, revoked). */
export async function bearerAgent(
  deps: Pick<Deps, "db">,
  req: IncomingMessage,
): Promise<{ agentId: number; tokenId: number } | null> {
  const match = BEARER.exec(req.headers.authorization ?? "");
  if (!match) return null;
  return authenticateAgentToken(deps.db, match[1]!);
}
