import type { Tx } from "../../db/client.ts";
import { GovernorError } from "../../domain/errors.ts";
import type { Actor } from "../audit/append.ts";
import type { Deps } from "../deps.ts";

export type Refusal = { refused: GovernorError };

/**
 * A click by someone without the role: audited as access_denied in the
 * caller's transaction (which must commit), then refused with the reason.
 */
export async function denyAccess(
  tx: Tx,
  deps: Deps,
  actor: Actor,
  what: { agentId: number | null; action: string; adrId?: number; itemId?: number; reason: string },
): Promise<Refusal> {
  await deps.audit.append(tx, {
    type: "access_denied",
    agentId: what.agentId,
    actor,
    at: deps.now(),
    data: {
      action: what.action,
      ...(what.adrId ? { adrId: what.adrId } : {}),
      ...(what.itemId ? { itemId: what.itemId } : {}),
      reason: pseudonymiseIds(deps, what.reason),
    },
  });
  return { refused: new GovernorError("forbidden", what.reason) };
}

/** Slack user ids inside generated text (reasons, decision rules) become their audit pseudonyms. */
export function pseudonymiseIds(deps: Deps, text: string): string {
  return text.replace(/\b[UW][A-Z0-9]{6,}\b/g, (id) => deps.audit.actorId({ slackUser: id }) ?? id);
}

/** Refusals are returned out of the transaction so the audit entry commits, then thrown. */
export function unwrap<T extends object>(result: T | Refusal): T {
  if ("refused" in result) throw result.refused;
  return result;
}
