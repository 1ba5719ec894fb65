/**
 * Block Kit composition objects (text, option, confirm) checks, limits from /work/shared/SLACK.md.
 * Each check appends human-readable violations prefixed with a JSON-ish path via `report`.
 */

export type Obj = Record<string, unknown>;
export type Report = (path: string, message: string) => void;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export const LIMITS = {
  id: 255,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  placeholder: 150,
  optionText: 75,
  optionValue: 75,
  optionDescription: 75,
  selectOptions: 100,
  overflowOptions: 5,
  choiceOptions: 10,
  textInputMax: 3000,
  altText: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;

export function checkString(report: Report, path: string, v: unknown, max: number, required = false): void {
  if (v === undefined || v === null) {
    if (required) report(path, "is required");
    return;
  }
  if (typeof v !== "string") {
    report(path, `must be a string (got ${typeof v})`);
    return;
  }
  if (required && v === "") {
    report(path, "must not be empty");
    return;
  }
  if (v.length > max) report(path, `${v.length} chars > ${max}`);
}

export interface TextRule {
  max: number;
  plainOnly?: boolean;
  required?: boolean;
}

/** A text composition object: `{type: "plain_text"|"mrkdwn", text: non-empty}`. */
export function checkText(report: Report, path: string, v: unknown, rule: TextRule): void {
  if (v === undefined || v === null) {
    if (rule.required) report(path, "text object is required");
    return;
  }
  if (!isObj(v)) {
    report(path, "must be a text object {type, text}");
    return;
  }
  if (v.type !== "plain_text" && v.type !== "mrkdwn") {
    report(`${path}.type`, `must be "plain_text" or "mrkdwn" (got ${JSON.stringify(v.type)})`);
    return;
  }
  if (rule.plainOnly && v.type !== "plain_text") report(`${path}.type`, 'must be "plain_text" here');
  if (typeof v.text !== "string") {
    report(`${path}.text`, "must be a string");
    return;
  }
  if (v.text.length === 0) {
    report(`${path}.text`, "must not be empty");
    return;
  }
  if (v.text.length > rule.max) report(`${path}.text`, `${v.text.length} chars > ${rule.max}`);
}

export function checkConfirm(report: Report, path: string, v: unknown): void {
  if (v === undefined) return;
  if (!isObj(v)) {
    report(path, "must be a confirmation dialog object");
    return;
  }
  checkText(report, `${path}.title`, v.title, { max: LIMITS.confirmTitle, plainOnly: true, required: true });
  checkText(report, `${path}.text`, v.text, { max: LIMITS.confirmText, required: true });
  checkText(report, `${path}.confirm`, v.confirm, {
    max: LIMITS.confirmButton,
    plainOnly: true,
    required: true,
  });
  checkText(report, `${path}.deny`, v.deny, { max: LIMITS.confirmButton, plainOnly: true, required: true });
}

interface OptionRule {
  min: number;
  max: number;
  plainOnly: boolean;
}

/** Checks an options array; returns the option values seen (for initial_option checks). */
export function checkOptions(report: Report, path: string, v: unknown, rule: OptionRule): string[] {
  if (!Array.isArray(v)) {
    report(path, "must be an array of option objects");
    return [];
  }
  if (v.length < rule.min) report(path, `${v.length} options < ${rule.min}`);
  if (v.length > rule.max) report(path, `${v.length} options > ${rule.max}`);
  const values: string[] = [];
  v.forEach((opt, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(opt)) {
      report(p, "must be an option object");
      return;
    }
    checkText(report, `${p}.text`, opt.text, {
      max: LIMITS.optionText,
      plainOnly: rule.plainOnly,
      required: true,
    });
    if (typeof opt.value !== "string") report(`${p}.value`, "is required (string)");
    else checkString(report, `${p}.value`, opt.value, LIMITS.optionValue);
    checkText(report, `${p}.description`, opt.description, { max: LIMITS.optionDescription });
    checkString(report, `${p}.url`, opt.url, LIMITS.url);
    if (typeof opt.value === "string") {
      if (values.includes(opt.value))
        report(`${p}.value`, `duplicate option value ${JSON.stringify(opt.value)}`);
      values.push(opt.value);
    }
  });
  return values;
}

export function checkInitialOptions(report: Report, path: string, el: Obj, values: string[]): void {
  const initial = [el.initial_option, ...(Array.isArray(el.initial_options) ? el.initial_options : [])];
  initial.forEach((opt, i) => {
    if (opt === undefined) return;
    const p = i === 0 ? `${path}.initial_option` : `${path}.initial_options[${i - 1}]`;
    if (!isObj(opt) || typeof opt.value !== "string") {
      report(p, "must be an option object");
      return;
    }
    if (!values.includes(opt.value))
      report(p, `value ${JSON.stringify(opt.value)} is not one of the options`);
  });
  if (el.initial_options !== undefined && !Array.isArray(el.initial_options)) {
    report(`${path}.initial_options`, "must be an array");
  }
}
