import type { App } from "@slack/bolt";
import { checkEvidence, completeCondition } from "../../../services/approval/complete-condition.ts";
import type { Deps } from "../../../services/deps.ts";
import { answerRefusal, tell } from "../../answer.ts";
import {
  APPROVAL_FIELDS,
  APPROVAL_VIEWS,
  type ModalValues,
  parseModalContext,
  readText,
} from "../../ids/approval.ts";

/** The Mark done form: evidence for one condition or remediation action. */
export function registerApprovalConditionDoneView(app: App, deps: Deps): void {
  app.view(APPROVAL_VIEWS.conditionDone, async ({ ack, body, view }) => {
    const evidence = readText(view.state.values as ModalValues, APPROVAL_FIELDS.evidence);
    const errors = checkEvidence(evidence);
    if (errors) return ack({ response_action: "errors", errors });
    await ack();
    const ctx = parseModalContext(view.private_metadata);
    if (!ctx?.itemId) return;
    const to = { user: body.user.id, channel: ctx.channel };
    try {
      const done = await completeCondition(
        deps,
        { slackUser: body.user.id },
        { itemId: ctx.itemId, evidence },
      );
      if (done.kind === "done" && !done.adrApproved)
        await tell(deps.slack, to, ":white_check_mark: Marked done.");
    } catch (err) {
      await answerRefusal(deps.slack, to, err);
    }
  });
}
