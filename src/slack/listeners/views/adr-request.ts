import type { App, ViewResponseAction, ViewSubmitAction } from "@slack/bolt";
import {
  type AdrStep,
  type FormValues,
  fieldsOfStep,
  formErrors,
  formToAdr,
  readViewState,
} from "../../../domain/adr-form.ts";
import { firstStepSeparationProblems } from "../../../domain/adr-intake.ts";
import { isGovernorError } from "../../../domain/errors.ts";
import { findAdrBySubmissionKey } from "../../../db/queries/inventory.ts";
import { checkAgentName } from "../../../services/adr/check-name.ts";
import { type AdrDraft, loadAdrDraft, saveAdrDraft } from "../../../services/adr/drafts.ts";
import { submitAdr } from "../../../services/adr/submit.ts";
import type { Deps } from "../../../services/deps.ts";
import { draftNotice, errorsAnswer, noticeView, requestStepView, submittedView } from "../../adr-views.ts";
import { ADR_IDS, parseRequestMeta, submissionKeyOf } from "../../ids/adr.ts";

/**
 * A step of the request form submitted. Steps 1–2: check the step's fields,
 * keep the answers as the draft, show the next step. Step 3: submit the ADR
 * (idempotent on the view id), or flag every problem on its input.
 */
export function registerAdrRequestView(app: App, deps: Deps): void {
  app.view<ViewSubmitAction>(ADR_IDS.requestCallback, async ({ ack, body, view }) => {
    const step = parseRequestMeta(view.private_metadata);
    const userId = body.user.id;
    const draft = await loadAdrDraft(deps, userId);
    const values: FormValues = { ...draft?.values, ...readViewState(view.state.values, fieldsOfStep(step)) };
    if (step < 3) await ack(await nextStep(deps, userId, step, values, draft));
    else await ack(await submit(deps, userId, view.id, values, draft));
  });
}

type Answer = ViewResponseAction;
type Kept = Pick<AdrDraft, "source" | "derivedRisk">;
const kept = (draft: AdrDraft | undefined): Kept => ({
  source: draft?.source ?? "form",
  derivedRisk: draft?.derivedRisk ?? false,
});

async function nextStep(
  deps: Deps,
  userId: string,
  step: AdrStep,
  values: FormValues,
  draft: AdrDraft | undefined,
): Promise<Answer> {
  let errors = formErrors(values, fieldsOfStep(step));
  if (step === 1 && Object.keys(errors).length === 0) {
    const name = values["agent_metadata.name"] ?? "";
    errors = {
      ...firstStepSeparationProblems(values, userId),
      ...(await checkAgentName(deps, { userId }, name)),
    };
  }
  if (Object.keys(errors).length > 0) return { response_action: "errors", errors };
  const next = (step + 1) as AdrStep;
  await saveAdrDraft(deps, userId, { step: next, values, ...kept(draft) });
  return {
    response_action: "update",
    view: requestStepView(next, values, { notice: draftNotice(kept(draft)) }),
  };
}

async function submit(
  deps: Deps,
  userId: string,
  viewId: string,
  values: FormValues,
  draft: AdrDraft | undefined,
): Promise<Answer> {
  const submissionKey = submissionKeyOf(viewId, 3);
  if (!draft) {
    // A retry that lost the race to the first delivery finds the draft gone and the ADR stored.
    const done = await findAdrBySubmissionKey(deps.db, submissionKey);
    if (done)
      return { response_action: "update", view: noticeView("Request submitted", alreadyText(done.id)) };
  }
  const adr = formToAdr(values);
  if (!adr.ok) return rerouted(deps, userId, errorsAnswer(adr.errors, 3, values), values, draft);
  try {
    const submitted = await submitAdr(deps, { userId }, { adr: adr.value, submissionKey });
    const meta = adr.value.agent_metadata;
    return { response_action: "update", view: submittedView(submitted, meta.name, meta.technical_owner) };
  } catch (err) {
    if (!isGovernorError(err) || err.code !== "validation" || Object.keys(err.fields).length === 0) throw err;
    return rerouted(deps, userId, errorsAnswer(err.fields, 3, values), values, draft);
  }
}

/** Going back to an earlier step with problems: keep the answers so nothing typed is lost. */
async function rerouted(
  deps: Deps,
  userId: string,
  answer: ReturnType<typeof errorsAnswer>,
  values: FormValues,
  draft: AdrDraft | undefined,
): Promise<Answer> {
  if (answer.response_action === "errors") return answer;
  await saveAdrDraft(deps, userId, { step: answer.step, values, ...kept(draft) });
  return { response_action: "update", view: answer.view };
}

const alreadyText = (adrId: number) =>
  `Your request is recorded (request #${adrId}). You will get a status message in your DMs that follows it.`;
