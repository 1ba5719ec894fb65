import type { App } from "@slack/bolt";
import { checkVote } from "../../../domain/vote-input.ts";
import { castVote } from "../../../services/approval/cast-vote.ts";
import type { Deps } from "../../../services/deps.ts";
import { answerRefusal } from "../../answer.ts";
import {
  APPROVAL_FIELDS,
  APPROVAL_VIEWS,
  type ModalValues,
  parseModalContext,
  readText,
} from "../../ids/approval.ts";

/** The Reject form: the reason, posted in the request's thread. */
export function registerApprovalRejectView(app: App, deps: Deps): void {
  app.view(APPROVAL_VIEWS.reject, async ({ ack, body, view }) => {
    const input = {
      choice: "reject" as const,
      reason: readText(view.state.values as ModalValues, APPROVAL_FIELDS.reason),
    };
    const checked = checkVote(input, deps.now(), deps.config.calendar.timezone);
    if (!checked.ok) return ack({ response_action: "errors", errors: checked.fields });
    await ack();
    const ctx = parseModalContext(view.private_metadata);
    if (!ctx?.adrId) return;
    try {
      await castVote(deps, { slackUser: body.user.id }, { adrId: ctx.adrId, ...input });
    } catch (err) {
      await answerRefusal(deps.slack, { user: body.user.id, channel: ctx.channel }, err);
    }
  });
}
