import type { KnownBlock, ModalView } from "@slack/types";
import type { AdrField } from "../../src/domain/adr-fields.ts";
import type { FormValues } from "../../src/domain/adr-form.ts";
import { escapeMrkdwn, truncate } from "../../src/domain/slack-text.ts";
import type { AdrUiIds } from "./format.ts";
import { adrInputBlock } from "./request-form.ts";

export interface AssessmentFormModel {
  agentName: string;
  version: number;
  fields: readonly AdrField[];
  /** Prefilled from the ADR when its YAML carried a security_assessment. */
  values: FormValues;
  privateMetadata: string;
  ids: AdrUiIds;
}

/** The technical owner's security self-assessment: block_ids `security_assessment.<field>`. */
export function securityAssessmentView(m: AssessmentFormModel): ModalView {
  const blocks: KnownBlock[] = [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: truncate(
          `Security self-assessment for *${escapeMrkdwn(m.agentName)}* (request version ${m.version}). ` +
            "When you submit, the request goes to review.",
          3000,
        ),
      },
    },
    ...m.fields.map((f) => adrInputBlock(f, m.values[f.path] ?? null, m.ids.inputAction)),
  ];
  return {
    type: "modal",
    callback_id: m.ids.assessCallback,
    private_metadata: m.privateMetadata,
    title: { type: "plain_text", text: "Security assessment" },
    submit: { type: "plain_text", text: "Submit assessment" },
    close: { type: "plain_text", text: "Cancel" },
    blocks,
  };
}
