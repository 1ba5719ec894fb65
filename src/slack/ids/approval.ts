import { z } from "zod";

/**
 * Action and callback ids of the approval workflow, and the values they
 * carry. A value only names the subject (ADR or tracked item); handlers
 * always re-read its state, never trust the value for anything else.
 */
export const APPROVAL_ACTIONS = {
  approve: "approval_vote_approve",
  conditional: "approval_vote_conditional",
  reject: "approval_vote_reject",
  raiseTier: "approval_raise_tier",
  withdraw: "approval_withdraw",
  markDone: "approval_condition_done",
} as const;

export const APPROVAL_VIEWS = {
  conditional: "approval_conditional_modal",
  reject: "approval_reject_modal",
  raiseTier: "approval_raise_tier_modal",
  conditionDone: "approval_condition_done_modal",
} as const;

import { APPROVAL_FIELDS, INPUT_ACTION, MAX_CONDITION_ROWS } from "../../domain/vote-input.ts";

export { APPROVAL_FIELDS, INPUT_ACTION, MAX_CONDITION_ROWS };

export type Control = { actionId: string; value: string };

export const adrValue = (adrId: number): string => `adr-${adrId}`;
export const itemValue = (itemId: number): string => `item-${itemId}`;

function parseId(prefix: string, value: unknown): number | null {
  if (typeof value !== "string") return null;
  const m = new RegExp(`^${prefix}-([1-9][0-9]{0,9})$`).exec(value);
  const id = m ? Number(m[1]) : Number.NaN;
  return Number.isSafeInteger(id) && id <= 2_147_483_647 ? id : null;
}
export const parseAdrValue = (value: unknown): number | null => parseId("adr", value);
export const parseItemValue = (value: unknown): number | null => parseId("item", value);

export function voteControls(adrId: number): { approve: Control; conditional: Control; reject: Control } {
  const value = adrValue(adrId);
  return {
    approve: { actionId: APPROVAL_ACTIONS.approve, value },
    conditional: { actionId: APPROVAL_ACTIONS.conditional, value },
    reject: { actionId: APPROVAL_ACTIONS.reject, value },
  };
}

export function requestControls(adrId: number) {
  const value = adrValue(adrId);
  return {
    ...voteControls(adrId),
    raiseTier: { actionId: APPROVAL_ACTIONS.raiseTier, value },
    withdraw: { actionId: APPROVAL_ACTIONS.withdraw, value },
  };
}

export const markDoneControl = (itemId: number): Control => ({
  actionId: APPROVAL_ACTIONS.markDone,
  value: itemValue(itemId),
});

/** What a modal remembers between opening and submission: the subject and where to answer. */
const modalContext = z.object({
  adrId: z.number().int().positive().optional(),
  itemId: z.number().int().positive().optional(),
  channel: z.string().max(40).optional(),
});
export type ModalContext = z.infer<typeof modalContext>;

export const encodeModalContext = (ctx: ModalContext): string => JSON.stringify(ctx);

export function parseModalContext(raw: unknown): ModalContext | null {
  if (typeof raw !== "string") return null;
  try {
    const parsed = modalContext.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

// ── reading the approval modals' state ───────────────────────────────────

type StateValue = {
  value?: string | null;
  selected_user?: string | null;
  selected_date?: string | null;
  selected_option?: { value: string } | null;
};
export type ModalValues = Record<string, Record<string, StateValue>>;

const field = (values: ModalValues, blockId: string): StateValue | undefined =>
  values[blockId]?.[INPUT_ACTION];

export const readText = (values: ModalValues, blockId: string): string => field(values, blockId)?.value ?? "";

export function readConditionRows(values: ModalValues) {
  const rows = [];
  for (let i = 0; i < MAX_CONDITION_ROWS; i++) {
    rows.push({
      text: field(values, APPROVAL_FIELDS.conditionText(i))?.value ?? null,
      owner: field(values, APPROVAL_FIELDS.conditionOwner(i))?.selected_user ?? null,
      deadline: field(values, APPROVAL_FIELDS.conditionDeadline(i))?.selected_date ?? null,
    });
  }
  return rows;
}

export function readTier(values: ModalValues): number {
  return Number(field(values, APPROVAL_FIELDS.tier)?.selected_option?.value ?? Number.NaN);
}
