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
  readConditionRows,
  readText,
} from "../../ids/approval.ts";

/** The Conditional form: 1–5 conditions (text, owner, deadline) and an optional rationale. */
export function registerApprovalConditionalView(app: App, deps: Deps): void {
  app.view(APPROVAL_VIEWS.conditional, async ({ ack, body, view }) => {
    const values = view.state.values as ModalValues;
    const input = {
      choice: "conditional" as const,
      reason: readText(values, APPROVAL_FIELDS.reason),
      conditions: readConditionRows(values),
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
