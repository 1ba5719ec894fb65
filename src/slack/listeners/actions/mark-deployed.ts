import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { markedDeployedReply, refusalReply } from "../../../../blocks/timers/replies.ts";
import { isGovernorError } from "../../../domain/errors.ts";
import { markDeployed } from "../../../services/agents/mark-deployed.ts";
import type { Deps } from "../../../services/deps.ts";
import { parseAgentValue, REVIEW_ACTIONS } from "../../ids/reviews.ts";

/** "Mark deployed" in the decision DM: only the technical owner; the answer is ephemeral. */
export function registerMarkDeployed(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(
    REVIEW_ACTIONS.markDeployed,
    async ({ ack, body, action, respond }) => {
      await ack();
      const agentId = parseAgentValue(action.value);
      const say = (m: { text: string }) =>
        respond({ response_type: "ephemeral", replace_original: false, ...m });
      if (agentId === null)
        return void (await say(refusalReply("That button no longer points at an agent.")));
      try {
        await say(markedDeployedReply(await markDeployed(deps, { slackUser: body.user.id }, agentId)));
      } catch (err) {
        if (!isGovernorError(err)) throw err;
        await say(refusalReply(err.message));
      }
    },
  );
}
