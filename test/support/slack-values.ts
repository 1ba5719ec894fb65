/**
 * Builders for `view.state.values` as Slack sends them in view_submission / block_actions payloads:
 *
 *   stateValues({ title: { title_input: plain("Onboarding bot") }, owner: { owner_select: user("U1") } })
 *
 * A bare string is shorthand for `plain(string)`.
 */

export type StateValue = { type: string } & Record<string, unknown>;
export type StateValues = Record<string, Record<string, StateValue>>;

export interface OptionObject {
  text: { type: "plain_text" | "mrkdwn"; text: string; emoji?: boolean };
  value: string;
}

export function option(value: string, text: string = value): OptionObject {
  return { text: { type: "plain_text", text, emoji: true }, value };
}

const toOption = (v: string | OptionObject): OptionObject => (typeof v === "string" ? option(v) : v);

export function stateValues(map: Record<string, Record<string, StateValue | string>>): StateValues {
  const out: StateValues = {};
  for (const [blockId, actions] of Object.entries(map)) {
    const block: Record<string, StateValue> = {};
    for (const [actionId, value] of Object.entries(actions)) {
      block[actionId] = typeof value === "string" ? plain(value) : value;
    }
    out[blockId] = block;
  }
  return out;
}

export const plain = (value: string | null): StateValue => ({ type: "plain_text_input", value });
export const email = (value: string | null): StateValue => ({ type: "email_text_input", value });
export const url = (value: string | null): StateValue => ({ type: "url_text_input", value });
/** Slack sends number_input values as strings. */
export const number = (n: number | string | null): StateValue => ({
  type: "number_input",
  value: n === null ? null : String(n),
});
export const user = (userId: string | null): StateValue => ({ type: "users_select", selected_user: userId });
export const users = (userIds: string[]): StateValue => ({
  type: "multi_users_select",
  selected_users: userIds,
});
export const conversation = (id: string | null): StateValue => ({
  type: "conversations_select",
  selected_conversation: id,
});
export const select = (value: string | OptionObject | null): StateValue => ({
  type: "static_select",
  selected_option: value === null ? null : toOption(value),
});
export const multiSelect = (values: (string | OptionObject)[]): StateValue => ({
  type: "multi_static_select",
  selected_options: values.map(toOption),
});
export const date = (isoDate: string | null): StateValue => ({ type: "datepicker", selected_date: isoDate });
export const time = (hhmm: string | null): StateValue => ({ type: "timepicker", selected_time: hhmm });
export const checkboxes = (values: (string | OptionObject)[]): StateValue => ({
  type: "checkboxes",
  selected_options: values.map(toOption),
});
export const radio = (value: string | OptionObject | null): StateValue => ({
  type: "radio_buttons",
  selected_option: value === null ? null : toOption(value),
});
