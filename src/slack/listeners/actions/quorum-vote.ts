import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { Deps } from "../../../services/deps.ts";
import { castQuorumVote } from "../../../services/incidents/cast-quorum-vote.ts";
import { answerRefusal, answerTo, tell } from "../../answer.ts";
import { parseQuorumVoteAction, parseQuorumValue, QUORUM_VOTE_ACTION } from "../../ids/incident.ts";

/** "Keep suspended" / "Restore service" / "Escalate to board" in the emergency quorum poll. */
export function registerQuorumVote(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(QUORUM_VOTE_ACTION, async ({ ack, body, action }) => {
    await ack();
    const quorumId = parseQuorumValue(action.value);
    const choice = parseQuorumVoteAction(action.action_id);
    if (quorumId === null || choice === null)
      return tell(deps.slack, answerTo(body), "That button no longer points at a poll.");
    try {
      await castQuorumVote(deps, { slackUser: body.user.id }, { quorumId, choice });
    } catch (err) {
      await answerRefusal(deps.slack, answerTo(body), err);
    }
  });
}
