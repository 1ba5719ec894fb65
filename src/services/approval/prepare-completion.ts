import { requestText } from "../../../blocks/approval/request-message.ts";
import { findAgent, findItem } from "../../db/queries/approval.ts";
import { GovernorError } from "../../domain/errors.ts";
import type { Deps } from "../deps.ts";
import { inTransaction } from "../run.ts";
import { denyAccess, type Refusal, unwrap } from "./deny.ts";

export type CompletionForm = { itemId: number; subject: string; text: string; deadline: Date };

/** Before the Mark done form opens: only the item's owner, only while it is open. */
export async function prepareCompletion(
  deps: Deps,
  actor: { slackUser: string },
  input: { itemId: number },
): Promise<CompletionForm> {
  const result = await inTransaction(deps, async (tx): Promise<CompletionForm | Refusal> => {
    const item = await findItem(tx, input.itemId);
    if (!item) throw new GovernorError("not_found", `There is no tracked item ${input.itemId}.`);
    if (item.status !== "open") {
      return { refused: new GovernorError("conflict", `That item is already ${item.status}.`) };
    }
    if (item.owner !== actor.slackUser) {
      return denyAccess(tx, deps, actor, {
        agentId: item.agentId,
        action: "complete_condition",
        itemId: item.id,
        reason: `Only its owner <@${item.owner}> may mark this item done.`,
      });
    }
    const agent = item.agentId ? await findAgent(tx, item.agentId) : undefined;
    const subject = item.adrId
      ? `A condition of ${requestText({ adrId: item.adrId, agentName: agent?.name ?? "unknown agent" })}`
      : `A remediation action${item.incidentId ? ` of incident ${item.incidentId}` : ""}`;
    return { itemId: item.id, subject, text: item.description, deadline: item.deadline };
  });
  return unwrap(result);
}
