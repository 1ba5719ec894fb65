import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { agentTokens } from "../../db/schema/index.ts";
import type { AuditWriter } from "../audit/append.ts";

/** `agov_` + 32 random bytes in base64url (43 characters). */
const TOKEN_SHAPE = /^agov_[A-Za-z0-9_-]{43}$/;

/** What is stored: the lowercase hex sha256 of the token. The token itself never is. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export interface IssuedToken {
  tokenId: number;
  /** Shown once to whoever issued it; unrecoverable afterwards. */
  token: string;
}

/**
 * Issues a runtime API token for an agent. The token has 256 bits of entropy,
 * so an unsalted sha256 is enough to make the stored hash useless to a reader
 * of the database. The audit entry names the token row, never the token.
 */
export async function issueAgentToken(
  db: Db,
  audit: AuditWriter,
  agentId: number,
  createdBy = "cli",
): Promise<IssuedToken> {
  const token = `agov_${randomBytes(32).toString("base64url")}`;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(agentTokens)
      .values({ agentId, tokenHash: tokenHash(token), createdBy })
      .returning({ id: agentTokens.id });
    await audit.append(tx, {
      type: "token_issued",
      agentId,
      actor: { system: createdBy },
      data: { token_id: row!.id },
    });
    return { tokenId: row!.id, token };
  });
}

/**
 * Revokes every active token of an agent; returns the ids revoked (empty when
 * it had none). The conditional update makes a concurrent second revoke a
 * no-op for tokens the first one already took, so each is audited once.
 */
export async function revokeAgentTokens(
  db: Db,
  audit: AuditWriter,
  agentId: number,
  revokedBy = "cli",
  now: Date = new Date(),
): Promise<number[]> {
  return db.transaction(async (tx) => {
    const revoked = await tx
      .update(agentTokens)
      .set({ revokedAt: now })
      .where(and(eq(agentTokens.agentId, agentId), isNull(agentTokens.revokedAt)))
      .returning({ id: agentTokens.id });
    const ids = revoked.map((r) => r.id).sort((a, b) => a - b);
    if (ids.length) {
      await audit.appendBatch(
        tx,
        ids.map((id) => ({
          type: "token_revoked" as const,
          agentId,
          actor: { system: revokedBy },
          data: { token_id: id },
          at: now,
        })),
      );
    }
    return ids;
  });
}

/**
 * The agent a bearer token speaks for, or null (malformed, unknown or
 * revoked). Constant-time by construction: the presented secret is never
 * compared with a stored one; its hash is looked up by the unique index, and
 * a timing difference could at most reveal a prefix of a sha256 digest.
 */
export async function authenticateAgentToken(
  db: Db,
  token: string,
): Promise<{ agentId: number; tokenId: number } | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const [row] = await db
    .select({ agentId: agentTokens.agentId, tokenId: agentTokens.id })
    .from(agentTokens)
    .where(and(eq(agentTokens.tokenHash, tokenHash(token)), isNull(agentTokens.revokedAt)))
    .limit(1);
  return row ?? null;
}
