import type { App, ViewSubmitAction } from "@slack/bolt";
import { SECURITY_ASSESSMENT_FIELDS } from "../../../domain/adr.ts";
import { formToSecurityAssessment, readViewState } from "../../../domain/adr-form.ts";
import { escapeMrkdwn } from "../../../domain/slack-text.ts";
import { isGovernorError } from "../../../domain/errors.ts";
import { completeSecurityAssessment } from "../../../services/adr/assess.ts";
import type { Deps } from "../../../services/deps.ts";
import { noticeView } from "../../adr-views.ts";
import { ADR_IDS, parseAdrId } from "../../ids/adr.ts";

/** The technical owner's security self-assessment submitted: the request moves to review. */
export function registerAdrAssessmentView(app: App, deps: Deps): void {
  app.view<ViewSubmitAction>(ADR_IDS.assessCallback, async ({ ack, body, view }) => {
    const parsed = formToSecurityAssessment(readViewState(view.state.values, SECURITY_ASSESSMENT_FIELDS));
    if (!parsed.ok) return ack({ response_action: "errors", errors: parsed.errors });
    const adrId = parseAdrId(view.private_metadata);
    if (adrId === undefined)
      return ack({ response_action: "update", view: noticeView("Not recorded", GONE) });
    try {
      await completeSecurityAssessment(deps, { userId: body.user.id }, adrId, parsed.value);
      await ack({ response_action: "update", view: noticeView("Assessment recorded", DONE) });
    } catch (err) {
      if (!isGovernorError(err) || err.code === "unavailable") throw err;
      await ack({ response_action: "update", view: noticeView("Not recorded", `:no_entry: ${err.message}`) });
    }
  });
}

const GONE = escapeMrkdwn("This form no longer points at a request. Use the button in your DM again.");
const DONE = "Thank you: the security self-assessment is recorded and the request is now in review.";
