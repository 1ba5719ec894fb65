import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { securityAssessmentView } from "../../../../blocks/adr/assessment-form.ts";
import { SECURITY_ASSESSMENT_FIELDS } from "../../../domain/adr.ts";
import { isGovernorError } from "../../../domain/errors.ts";
import { openSecurityAssessment } from "../../../services/adr/open-assessment.ts";
import type { Deps } from "../../../services/deps.ts";
import { ADR_IDS, encodeAdrId, parseAdrId } from "../../ids/adr.ts";

/** "Complete security assessment" (technical owner's DM): opens the assessment modal, for them only. */
export function registerAdrAssessmentOpen(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(ADR_IDS.openAssessment, async ({ ack, body, action, client }) => {
    await ack();
    const channel = body.channel?.id ?? body.container?.channel_id;
    const refuse = (text: string) =>
      channel
        ? client.chat.postEphemeral({ channel, user: body.user.id, text })
        : client.chat.postMessage({ channel: body.user.id, text });
    const adrId = parseAdrId(action.value);
    if (adrId === undefined)
      return void (await refuse(":no_entry: That button no longer points at a request."));
    try {
      const form = await openSecurityAssessment(deps, { userId: body.user.id }, adrId);
      const view = securityAssessmentView({
        ...form,
        fields: SECURITY_ASSESSMENT_FIELDS,
        privateMetadata: encodeAdrId(adrId),
        ids: ADR_IDS,
      });
      await client.views.open({ trigger_id: body.trigger_id, view });
    } catch (err) {
      if (!isGovernorError(err) || err.code === "unavailable") throw err;
      await refuse(`:no_entry: ${err.message}`);
    }
  });
}
