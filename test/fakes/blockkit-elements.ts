/**
 * Block Kit element checks (limits from /work/shared/SLACK.md), used by ./blockkit.ts.
 * Each check appends human-readable violations prefixed with a JSON-ish path via `report`.
 */
import {
  checkConfirm,
  checkInitialOptions,
  checkOptions,
  checkString,
  checkText,
  isObj,
  LIMITS,
  type Obj,
  type Report,
} from "./blockkit-text.ts";

const SELECTS = [
  "static_select",
  "external_select",
  "users_select",
  "conversations_select",
  "channels_select",
] as const;
const MULTI_SELECTS = SELECTS.map((t) => `multi_${t}`);
const ALL_SELECTS = [...SELECTS, ...MULTI_SELECTS];
const PICKERS = ["datepicker", "timepicker", "datetimepicker"];

export const ACTIONS_ELEMENTS = new Set([
  "button",
  "checkboxes",
  "overflow",
  "radio_buttons",
  "workflow_button",
  ...PICKERS,
  ...ALL_SELECTS,
]);
export const INPUT_ELEMENTS = new Set([
  "checkboxes",
  "radio_buttons",
  "plain_text_input",
  "number_input",
  "email_text_input",
  "url_text_input",
  "rich_text_input",
  "file_input",
  ...PICKERS,
  ...ALL_SELECTS,
]);
export const SECTION_ACCESSORIES = new Set([
  "button",
  "checkboxes",
  "image",
  "overflow",
  "radio_buttons",
  "workflow_button",
  ...PICKERS,
  ...ALL_SELECTS,
]);

function checkSelect(report: Report, path: string, el: Obj, type: string): void {
  checkText(report, `${path}.placeholder`, el.placeholder, { max: LIMITS.placeholder, plainOnly: true });
  if (type.startsWith("multi_") && el.max_selected_items !== undefined) {
    if (typeof el.max_selected_items !== "number" || el.max_selected_items < 1) {
      report(`${path}.max_selected_items`, "must be a number ≥ 1");
    }
  }
  if (!type.endsWith("static_select")) return;
  const selectRule = { min: 1, max: LIMITS.selectOptions, plainOnly: true };
  if (el.options !== undefined && el.option_groups !== undefined) {
    report(path, "only one of options / option_groups may be given");
  }
  let values: string[] = [];
  if (el.option_groups !== undefined) {
    if (!Array.isArray(el.option_groups)) {
      report(`${path}.option_groups`, "must be an array");
      return;
    }
    if (el.option_groups.length > LIMITS.selectOptions) {
      report(`${path}.option_groups`, `${el.option_groups.length} groups > ${LIMITS.selectOptions}`);
    }
    el.option_groups.forEach((g, i) => {
      const p = `${path}.option_groups[${i}]`;
      if (!isObj(g)) {
        report(p, "must be an option group object");
        return;
      }
      checkText(report, `${p}.label`, g.label, { max: LIMITS.optionText, plainOnly: true, required: true });
      values = values.concat(checkOptions(report, `${p}.options`, g.options, selectRule));
    });
  } else {
    values = checkOptions(report, `${path}.options`, el.options, selectRule);
  }
  checkInitialOptions(report, path, el, values);
}

function checkTextInput(report: Report, path: string, el: Obj): void {
  checkText(report, `${path}.placeholder`, el.placeholder, { max: LIMITS.placeholder, plainOnly: true });
  const { min_length: min, max_length: max } = el;
  for (const [key, n] of [
    ["min_length", min],
    ["max_length", max],
  ] as const) {
    if (n === undefined) continue;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0)
      report(`${path}.${key}`, "must be an integer ≥ 0");
    else if (n > LIMITS.textInputMax) report(`${path}.${key}`, `${n} > ${LIMITS.textInputMax}`);
  }
  if (typeof min === "number" && typeof max === "number" && min > max) {
    report(path, `min_length ${min} > max_length ${max}`);
  }
  if (typeof el.initial_value === "string") {
    const cap = typeof max === "number" ? max : LIMITS.textInputMax;
    if (el.initial_value.length > cap)
      report(`${path}.initial_value`, `${el.initial_value.length} chars > ${cap}`);
  }
}

/** Checks one element; `allowed` is the set of element types valid in the enclosing block. */
export function checkElement(
  report: Report,
  path: string,
  el: unknown,
  allowed: Set<string>,
  where: string,
): void {
  if (!isObj(el)) {
    report(path, "must be an element object");
    return;
  }
  const type = el.type;
  if (typeof type !== "string") {
    report(`${path}.type`, "is required");
    return;
  }
  const p = `${path}(${type})`;
  if (!allowed.has(type)) {
    report(p, `element type "${type}" is not allowed in ${where}`);
    return;
  }
  checkString(report, `${p}.action_id`, el.action_id, LIMITS.id);
  checkConfirm(report, `${p}.confirm`, el.confirm);

  if (type === "button") {
    checkText(report, `${p}.text`, el.text, { max: LIMITS.buttonText, plainOnly: true, required: true });
    checkString(report, `${p}.value`, el.value, LIMITS.buttonValue);
    checkString(report, `${p}.url`, el.url, LIMITS.url);
    if (el.style !== undefined && el.style !== "primary" && el.style !== "danger") {
      report(`${p}.style`, 'must be "primary" or "danger"');
    }
  } else if (type === "overflow") {
    checkOptions(report, `${p}.options`, el.options, {
      min: 1,
      max: LIMITS.overflowOptions,
      plainOnly: true,
    });
  } else if (type === "checkboxes" || type === "radio_buttons") {
    const rule = { min: 1, max: LIMITS.choiceOptions, plainOnly: false };
    checkInitialOptions(report, p, el, checkOptions(report, `${p}.options`, el.options, rule));
  } else if (type.endsWith("_select")) {
    checkSelect(report, p, el, type);
  } else if (type === "plain_text_input" || type === "email_text_input" || type === "url_text_input") {
    checkTextInput(report, p, el);
  } else if (type === "number_input") {
    if (typeof el.is_decimal_allowed !== "boolean")
      report(`${p}.is_decimal_allowed`, "is required (boolean)");
    checkText(report, `${p}.placeholder`, el.placeholder, { max: LIMITS.placeholder, plainOnly: true });
  } else if (type === "datepicker") {
    if (el.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(el.initial_date))) {
      report(`${p}.initial_date`, "must be YYYY-MM-DD");
    }
    checkText(report, `${p}.placeholder`, el.placeholder, { max: LIMITS.placeholder, plainOnly: true });
  } else if (type === "timepicker") {
    if (el.initial_time !== undefined && !/^\d{2}:\d{2}$/.test(String(el.initial_time))) {
      report(`${p}.initial_time`, "must be HH:mm");
    }
    checkText(report, `${p}.placeholder`, el.placeholder, { max: LIMITS.placeholder, plainOnly: true });
  } else if (type === "image") {
    checkImage(report, p, el);
  }
}

export function checkImage(report: Report, path: string, el: Obj): void {
  if (el.image_url === undefined && el.slack_file === undefined)
    report(path, "image_url or slack_file is required");
  checkString(report, `${path}.image_url`, el.image_url, LIMITS.url);
  checkString(report, `${path}.alt_text`, el.alt_text, LIMITS.altText, true);
}

/** Duplicate action_ids among the elements of one block. */
export function checkDuplicateActionIds(report: Report, path: string, elements: unknown[]): void {
  const seen = new Set<string>();
  for (const el of elements) {
    if (!isObj(el) || typeof el.action_id !== "string") continue;
    if (seen.has(el.action_id))
      report(path, `duplicate action_id ${JSON.stringify(el.action_id)} in one block`);
    seen.add(el.action_id);
  }
}
