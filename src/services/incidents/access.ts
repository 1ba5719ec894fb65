import type { Deps } from "../deps.ts";
import { inTransaction } from "../run.ts";

/**
 * A click by someone without the role: the refusal is audited in its own
 * transaction (it must survive the error the verb then throws).
 */
export async function recordAccessDenied(
  deps: Deps,
  actor: { slackUser: string },
  o: { agentId: number | null; action: string; subject: Record<string, unknown> },
): Promise<void> {
  await inTransaction(deps, async (tx) => {
    await deps.audit.append(tx, {
      type: "access_denied",
      agentId: o.agentId,
      actor,
      data: { action: o.action, ...o.subject },
      at: deps.now(),
    });
  });
}
