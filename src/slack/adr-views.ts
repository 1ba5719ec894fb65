import type { ModalView } from "@slack/types";
import { adrDraftPromptView, adrNoticeView } from "../../blocks/adr/intake-views.ts";
import { adrRequestStepView } from "../../blocks/adr/request-form.ts";
import { TIER_LABEL } from "../../blocks/adr/format.ts";
import { ADR_FIELDS } from "../domain/adr.ts";
import { type AdrStep, type FormErrors, type FormValues, fieldsOfStep } from "../domain/adr-form.ts";
import { escapeMrkdwn } from "../domain/slack-text.ts";
import type { AdrDraft } from "../services/adr/drafts.ts";
import type { SubmittedAdr } from "../services/adr/submit.ts";
import { ADR_IDS, encodeRequestMeta } from "./ids/adr.ts";

/** The request form's views as the Slack handlers open, update and answer them. */

export function requestStepView(
  step: AdrStep,
  values: FormValues,
  extra: { notice?: string | undefined; problems?: string[] } = {},
): ModalView {
  return adrRequestStepView({
    step,
    fields: fieldsOfStep(step),
    values,
    ...(extra.notice ? { notice: extra.notice } : {}),
    ...(extra.problems ? { problems: extra.problems } : {}),
    privateMetadata: encodeRequestMeta(step),
    ids: ADR_IDS,
  });
}

/** The sentence on top of a form prefilled from an import. */
export function draftNotice(draft: Pick<AdrDraft, "source" | "derivedRisk">): string | undefined {
  if (draft.source !== "import") return undefined;
  const risk = draft.derivedRisk
    ? " The file had no `risk_assessment`, so the six risk factors below were derived from its tools and data (when unsure, the riskier answer): check them."
    : "";
  return `:inbox_tray: *Imported from YAML.* Review each step, then submit.${risk}`;
}

export function draftPromptView(draft: AdrDraft): ModalView {
  return adrDraftPromptView({
    agentName: draft.values["agent_metadata.name"] ?? null,
    step: draft.step,
    savedAt: draft.updatedAt,
    ids: ADR_IDS,
  });
}

/** The step that shows a field (1 for anything unknown, e.g. a whole-form problem). */
export function stepOfField(path: string): AdrStep {
  return ADR_FIELDS.find((f) => f.path === path)?.step ?? 1;
}

/**
 * Errors found at submission: shown on the inputs when they are all on the
 * current step; otherwise the form goes back to the first step with a
 * problem, listing them on top (Slack can only flag inputs in view).
 */
export function errorsAnswer(
  errors: FormErrors,
  current: AdrStep,
  values: FormValues,
):
  | { response_action: "errors"; errors: FormErrors }
  | { response_action: "update"; view: ModalView; step: AdrStep } {
  const paths = Object.keys(errors);
  if (paths.every((p) => p !== "" && stepOfField(p) === current))
    return { response_action: "errors", errors };
  const step = Math.min(...paths.map(stepOfField)) as AdrStep;
  const label = (p: string) => ADR_FIELDS.find((f) => f.path === p)?.label ?? "The form";
  const problems = paths.filter((p) => stepOfField(p) === step).map((p) => `${label(p)}: ${errors[p]}`);
  return { response_action: "update", view: requestStepView(step, values, { problems }), step };
}

export function submittedView(adr: SubmittedAdr, agentName: string, technicalOwner: string): ModalView {
  const text =
    `Your request for *${escapeMrkdwn(agentName)}* is recorded (request #${adr.adrId}, version ${adr.version}).\n` +
    `*${TIER_LABEL[adr.tier] ?? `Tier ${adr.tier}`}*, score ${adr.score}.\n` +
    `<@${technicalOwner}> has been asked to complete the security self-assessment. ` +
    "You will get a status message in your DMs that follows the request.";
  return adrNoticeView(ADR_IDS, "Request submitted", text);
}

export function noticeView(title: string, text: string): ModalView {
  return adrNoticeView(ADR_IDS, title, text);
}
