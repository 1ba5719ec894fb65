import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from "@slack/types";
import type { AdrField } from "../../src/domain/adr-fields.ts";
import type { FormValues, FormValue } from "../../src/domain/adr-form.ts";
import { escapeMrkdwn, plainText, truncate } from "../../src/domain/slack-text.ts";
import { type AdrUiIds, button } from "./format.ts";

/** One step of the ADR request form (the same view, updated in place from step to step). */
export interface RequestStepModel {
  step: 1 | 2 | 3;
  /** The catalogue fields of this step, in order. */
  fields: readonly AdrField[];
  values: FormValues;
  /** Our own sentence shown on top (e.g. "Imported from YAML: review each step"). */
  notice?: string;
  /** Problems found on this step's fields at final submission (shown as a banner). */
  problems?: string[];
  privateMetadata: string;
  ids: AdrUiIds;
}

const STEP_TITLES = {
  1: "About the agent: owners, purpose and the six risk factors",
  2: "Capabilities: tools, model and data",
  3: "Compliance and monitoring",
} as const;

const TEXT_INPUT_MAX = 3000;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

const PLACEHOLDERS: Partial<Record<AdrField["kind"], string>> = {
  list: "One per line",
  tools: "read_customer_db | read-only, customers table | looks up the account",
  thresholds: "error_rate: 0.05",
};

export function adrRequestStepView(m: RequestStepModel): ModalView {
  const blocks: KnownBlock[] = [
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `*Step ${m.step} of 3:* ${STEP_TITLES[m.step]}. Your answers are kept as a draft at each step.`,
        },
      ],
    },
  ];
  if (m.notice) blocks.push({ type: "section", text: { type: "mrkdwn", text: truncate(m.notice, 3000) } });
  if (m.problems?.length) {
    const list = m.problems.map((p) => `• ${escapeMrkdwn(p)}`).join("\n");
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: truncate(`:warning: *Please correct:*\n${list}`, 3000) },
    });
  }
  let riskIntroShown = false;
  for (const field of m.fields) {
    if (!riskIntroShown && field.path.startsWith("risk_assessment.")) {
      riskIntroShown = true;
      blocks.push(
        { type: "divider" },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: "*Risk factors.* They decide the risk tier (1–4) and so who approves the request. When unsure, choose the riskier answer.",
          },
        },
      );
    }
    blocks.push(adrInputBlock(field, m.values[field.path] ?? null, m.ids.inputAction));
  }
  if (m.step > 1) {
    blocks.push({
      type: "actions",
      elements: [button(`Back to step ${m.step - 1}`, m.ids.back, String(m.step))],
    });
  }
  return {
    type: "modal",
    callback_id: m.ids.requestCallback,
    private_metadata: m.privateMetadata,
    notify_on_close: true,
    title: { type: "plain_text", text: `Agent request (${m.step}/3)` },
    submit: { type: "plain_text", text: m.step === 3 ? "Submit request" : "Next" },
    close: { type: "plain_text", text: "Cancel" },
    blocks,
  };
}

/** The input of one catalogue field: block_id is the field path. */
export function adrInputBlock(field: AdrField, value: FormValue, actionId: string): InputBlock {
  return {
    type: "input",
    block_id: field.path,
    optional: field.optional,
    label: { type: "plain_text", text: plainText(field.label, 2000) },
    ...(field.hint ? { hint: { type: "plain_text", text: plainText(field.hint, 2000) } } : {}),
    element: element(field, value, actionId),
  } as InputBlock;
}

function element(field: AdrField, value: FormValue, actionId: string): InputBlock["element"] {
  switch (field.kind) {
    case "user":
      return {
        type: "users_select",
        action_id: actionId,
        ...(value && USER_ID.test(value) ? { initial_user: value } : {}),
      };
    case "date":
      return {
        type: "datepicker",
        action_id: actionId,
        ...(value && ISO_DAY.test(value) ? { initial_date: value } : {}),
      };
    case "select": {
      const options = (field.options ?? []).map((o) => option(o));
      const initial = options.find((o) => o.value === value);
      return {
        type: "static_select",
        action_id: actionId,
        options,
        ...(initial ? { initial_option: initial } : {}),
      };
    }
    case "boolean": {
      const options = [option("true", "Yes"), option("false", "No")];
      const initial = options.find((o) => o.value === value);
      return {
        type: "radio_buttons",
        action_id: actionId,
        options,
        ...(initial ? { initial_option: initial } : {}),
      };
    }
    case "number":
      return {
        type: "number_input",
        action_id: actionId,
        is_decimal_allowed: false,
        min_value: "0",
        ...(value && /^\d+$/.test(value) ? { initial_value: value } : {}),
      };
    default: {
      const multiline = field.kind !== "text";
      const max = multiline ? TEXT_INPUT_MAX : Math.min(field.maxLength ?? TEXT_INPUT_MAX, TEXT_INPUT_MAX);
      const placeholder = PLACEHOLDERS[field.kind];
      return {
        type: "plain_text_input",
        action_id: actionId,
        multiline,
        max_length: max,
        ...(placeholder ? { placeholder: { type: "plain_text", text: placeholder } } : {}),
        ...(value !== null && value.length <= max ? { initial_value: value } : {}),
      };
    }
  }
}

function option(value: string, text: string = value.replace(/_/g, " ")): PlainTextOption {
  return { text: { type: "plain_text", text: plainText(text, 75) }, value };
}
