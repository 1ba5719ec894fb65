import type { z } from "zod";
import { ADR_FIELDS, type AdrField, SECURITY_ASSESSMENT_FIELDS } from "./adr-fields.ts";
import { type Adr, adrSchema, issuePath, type SecurityAssessment, securityAssessmentSchema } from "./adr.ts";
import {
  listFromText,
  listToText,
  thresholdsFromText,
  thresholdsToText,
  toolsFromText,
  toolsToText,
} from "./adr-form-text.ts";

/**
 * The ADR as a Slack form: every input's block_id is a field path of the
 * catalogue, and its raw value is a string (the text typed, the user id, the
 * date, the chosen option; "true"/"false" for yes/no) or null when empty.
 * Lists, tools and thresholds are typed one per line and parsed here; the
 * schema then judges the result, and every problem is reported on the block
 * of the field it concerns ("line 3: …" inside a list).
 */
export type FormValue = string | null;
export type FormValues = Record<string, FormValue>;
/** block_id → message, as Slack's `response_action: errors` takes them. */
export type FormErrors = Record<string, string>;

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FormErrors };

/** Slack shows field errors under the input; long ones help nobody. */
const MAX_ERROR_LENGTH = 300;
const TRUE = "true";
const FALSE = "false";

export const fieldsOfStep = (step: AdrField["step"]): readonly AdrField[] =>
  ADR_FIELDS.filter((f) => f.step === step);

export const ADR_STEPS = [1, 2, 3] as const;
export type AdrStep = (typeof ADR_STEPS)[number];

/**
 * Reads Slack's `view.state.values` for the given fields: the first action of
 * each block, whatever its action_id. Blocks of other fields are ignored;
 * a field whose block is absent is left out (not set to null).
 */
export function readViewState(state: unknown, fields: readonly AdrField[]): FormValues {
  const out: FormValues = {};
  if (!isRecord(state)) return out;
  for (const field of fields) {
    const block = state[field.path];
    if (!isRecord(block)) continue;
    const action = Object.values(block)[0];
    out[field.path] = isRecord(action) ? elementValue(action) : null;
  }
  return out;
}

function elementValue(action: Record<string, unknown>): FormValue {
  const pick = (v: unknown): FormValue => (typeof v === "string" && v !== "" ? v : null);
  switch (action.type) {
    case "users_select":
      return pick(action.selected_user);
    case "datepicker":
      return pick(action.selected_date);
    case "static_select":
    case "radio_buttons": {
      const option = action.selected_option;
      return isRecord(option) ? pick(option.value) : null;
    }
    default:
      return pick(action.value);
  }
}

interface Built {
  input: Record<string, unknown>;
  errors: FormErrors;
  /** Per list-like field, the form line of each parsed item (for "line N: …"). */
  lines: Record<string, number[]>;
}

/** Turns form values into the ADR's shape (before validation); parse errors keyed by field path. */
function build(values: FormValues, fields: readonly AdrField[]): Built {
  const built: Built = { input: {}, errors: {}, lines: {} };
  for (const field of fields) {
    const raw = values[field.path];
    const text = raw === undefined || raw === null || raw.trim() === "" ? undefined : raw;
    const parsed = text === undefined ? { value: undefined } : parseField(field, text, built);
    if ("error" in parsed) built.errors[field.path] = parsed.error;
    else if (parsed.value !== undefined || !field.optional) setPath(built.input, field.path, parsed.value);
    else ensureParent(built.input, field.path);
  }
  return built;
}

type Parsed = { value: unknown } | { error: string };

function parseField(field: AdrField, text: string, built: Built): Parsed {
  switch (field.kind) {
    case "boolean":
      if (text === TRUE || text === FALSE) return { value: text === TRUE };
      return { error: "must be yes or no" };
    case "number": {
      const t = text.trim();
      return /^-?\d+(\.\d+)?$/.test(t) ? { value: Number(t) } : { error: "must be a number" };
    }
    case "list": {
      const { items, lines } = listFromText(text);
      built.lines[field.path] = lines;
      return { value: items };
    }
    case "tools": {
      const result = toolsFromText(text);
      if (!result.ok) return { error: result.error };
      built.lines[field.path] = result.lines;
      return { value: result.tools };
    }
    case "thresholds": {
      const result = thresholdsFromText(text);
      return result.ok ? { value: result.thresholds } : { error: result.error };
    }
    default:
      return { value: text };
  }
}

/**
 * Problems with the fields shown on one step (or the whole form), judged
 * against the entire ADR as far as it is filled in, so cross-field rules
 * (GDPR basis when GDPR applies) are reported too. Problems on fields not in
 * `shown` are left out: they belong to another step.
 */
export function formErrors(values: FormValues, shown: readonly AdrField[]): FormErrors {
  const result = judge(values, ADR_FIELDS.concat(presentAssessmentFields(values)), adrSchema, "");
  if (result.ok) return {};
  const keep = new Set(shown.map((f) => f.path));
  return Object.fromEntries(Object.entries(result.errors).filter(([path]) => keep.has(path)));
}

/** The whole request form as an ADR, or every problem keyed by field path. */
export function formToAdr(values: FormValues): FormResult<Adr> {
  return judge(values, ADR_FIELDS.concat(presentAssessmentFields(values)), adrSchema, "");
}

/** The technical owner's security self-assessment modal, or its problems keyed by block_id. */
export function formToSecurityAssessment(values: FormValues): FormResult<SecurityAssessment> {
  return judge(values, SECURITY_ASSESSMENT_FIELDS, securityAssessmentSchema, "security_assessment");
}

/** An imported YAML may carry the security assessment; it travels with the draft to prefill that modal. */
function presentAssessmentFields(values: FormValues): readonly AdrField[] {
  const any = SECURITY_ASSESSMENT_FIELDS.some((f) => (values[f.path] ?? null) !== null);
  return any ? SECURITY_ASSESSMENT_FIELDS : [];
}

function judge<S extends z.ZodType>(
  values: FormValues,
  fields: readonly AdrField[],
  schema: S,
  root: string,
): FormResult<z.infer<S>> {
  const built = build(values, fields);
  const input = root === "" ? built.input : built.input[root];
  const parsed = schema.safeParse(input ?? {});
  const errors: FormErrors = { ...built.errors };
  if (!parsed.success) {
    const prefix = root === "" ? [] : [root];
    for (const issue of parsed.error.issues) {
      const path = issuePath([...prefix, ...issue.path]);
      const field = fieldFor(path, fields);
      if (field === undefined || built.errors[field.path] !== undefined) continue;
      const line = describeWithin(field, path.slice(field.path.length + 1), built.lines[field.path]);
      const text = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
      const message = line === "" ? text : `${line}: ${text}`;
      errors[field.path] = joinMessages(errors[field.path], message);
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) {
    return { ok: false, errors: Object.keys(errors).length > 0 ? errors : { "": "the form is incomplete" } };
  }
  return { ok: true, value: parsed.data };
}

/** The field an issue path belongs to: the longest field path that is the issue's path or a prefix of it. */
function fieldFor(path: string, fields: readonly AdrField[]): AdrField | undefined {
  let best: AdrField | undefined;
  for (const f of fields) {
    if ((path === f.path || path.startsWith(`${f.path}.`)) && f.path.length > (best?.path.length ?? -1)) {
      best = f;
    }
  }
  return best;
}

/** "line 3" / "line 2, permissions" / "error_rate" for a problem inside a list-like field. */
function describeWithin(field: AdrField, rest: string, lines: number[] | undefined): string {
  if (rest === "") return "";
  const [first, ...more] = rest.split(".");
  const index = Number(first);
  if (field.kind === "thresholds" || !Number.isInteger(index)) return rest;
  const line = `line ${lines?.[index] ?? index + 1}`;
  return more.length === 0 ? line : `${line}, ${more.join(".")}`;
}

function joinMessages(existing: string | undefined, message: string): string {
  if (existing === undefined) return message.slice(0, MAX_ERROR_LENGTH);
  if (existing.length >= MAX_ERROR_LENGTH || existing.endsWith("…")) return existing;
  const joined = `${existing}; ${message}`;
  return joined.length > MAX_ERROR_LENGTH ? `${joined.slice(0, MAX_ERROR_LENGTH - 1)}…` : joined;
}

/** An ADR (or a partial one, e.g. a security assessment) as form values, for prefilling a modal. */
export function adrToFormValues(
  adr: Partial<Adr> | { security_assessment?: SecurityAssessment },
  fields: readonly AdrField[] = ADR_FIELDS.concat(SECURITY_ASSESSMENT_FIELDS),
): FormValues {
  const out: FormValues = {};
  for (const field of fields) {
    const value = getPath(adr, field.path);
    out[field.path] = value === undefined || value === null ? null : fieldToText(field, value);
  }
  return out;
}

function fieldToText(field: AdrField, value: unknown): FormValue {
  switch (field.kind) {
    case "boolean":
      return value === true ? TRUE : FALSE;
    case "number":
      return String(value);
    case "list":
      return Array.isArray(value) ? listToText(value.map(String)) : null;
    case "tools":
      return Array.isArray(value) ? toolsToText(value) : null;
    case "thresholds":
      return isRecord(value) ? thresholdsToText(value) : null;
    default:
      return typeof value === "string" ? value : String(value);
  }
}

/** Fields whose text is longer than a Slack input can hold (3000 characters), so they cannot be prefilled. */
export function overlongFields(values: FormValues, max = 3000): FormErrors {
  const out: FormErrors = {};
  for (const [path, value] of Object.entries(values)) {
    if (value !== null && value.length > max) {
      out[path] = `is ${value.length} characters as text; a Slack input holds at most ${max}`;
    }
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop()!;
  let node = target;
  for (const key of keys) {
    if (!isRecord(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[last] = value;
}

function ensureParent(target: Record<string, unknown>, path: string): void {
  const keys = path.split(".").slice(0, -1);
  let node = target;
  for (const key of keys) {
    if (!isRecord(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
}

function getPath(source: unknown, path: string): unknown {
  let node: unknown = source;
  for (const key of path.split(".")) {
    if (!isRecord(node)) return undefined;
    node = node[key];
  }
  return node;
}
