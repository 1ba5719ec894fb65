/**
 * Payload builders for SlackClientSim: interactivity payloads, views and Events API envelopes shaped
 * like the ones Slack sends.
 */
import { randomBytes } from "node:crypto";
import { FAKE_BOT_ID, FAKE_BOT_USER_ID, type FakeSlack } from "../fakes/slack-api.ts";
import { type OptionObject, option, type StateValues } from "./slack-values.ts";

export type Json = Record<string, unknown>;

export interface PayloadContext {
  teamId: string;
  apiAppId: string;
  fake: FakeSlack | undefined;
}

export interface BlockActionOptions {
  userId: string;
  actionId: string;
  value?: string;
  blockId?: string;
  /** Element type; inferred from the selected_* option given, else "button". */
  type?: string;
  /** Button label. */
  text?: string;
  selectedOption?: string | OptionObject;
  selectedOptions?: (string | OptionObject)[];
  selectedUser?: string;
  selectedUsers?: string[];
  selectedConversation?: string;
  selectedDate?: string;
  selectedTime?: string;
  /** Action on a message (default when no view is given). Blocks/text come from the fake when it has it. */
  message?: { ts: string; channel: string; text?: string; blocks?: unknown[]; threadTs?: string };
  /** Action inside a modal / Home tab: a partial view merged over the fake's stored view `viewId`. */
  view?: Json;
  viewId?: string;
  /** state.values of the view or message. */
  stateValues?: StateValues;
  triggerId?: string;
  responseUrl?: string;
}

export interface ViewSubmissionOptions {
  userId: string;
  /** Defaults to the stored view's callback_id when `viewId` names a view the fake opened. */
  callbackId?: string;
  values?: StateValues;
  privateMetadata?: string;
  viewId?: string;
  hash?: string;
  view?: Json;
  triggerId?: string;
  responseUrls?: Json[];
}

export interface ViewClosedOptions {
  userId: string;
  callbackId?: string;
  privateMetadata?: string;
  viewId?: string;
  view?: Json;
  isCleared?: boolean;
}

let seq = 0;
export const nextSeq = (): number => {
  seq += 1;
  return seq;
};
export const nowTs = (): string => (Date.now() / 1000).toFixed(6);

export function actionObject(opts: BlockActionOptions): Json {
  const action: Json = {
    type: opts.type ?? inferActionType(opts),
    action_id: opts.actionId,
    block_id: opts.blockId ?? `blk${nextSeq()}`,
    action_ts: nowTs(),
  };
  if (opts.value !== undefined) action.value = opts.value;
  if (action.type === "button") {
    action.text = { type: "plain_text", text: opts.text ?? "Button", emoji: true };
  }
  if (opts.selectedOption !== undefined) action.selected_option = toOption(opts.selectedOption);
  if (opts.selectedOptions !== undefined) action.selected_options = opts.selectedOptions.map(toOption);
  if (opts.selectedUser !== undefined) action.selected_user = opts.selectedUser;
  if (opts.selectedUsers !== undefined) action.selected_users = opts.selectedUsers;
  if (opts.selectedConversation !== undefined) action.selected_conversation = opts.selectedConversation;
  if (opts.selectedDate !== undefined) action.selected_date = opts.selectedDate;
  if (opts.selectedTime !== undefined) action.selected_time = opts.selectedTime;
  return action;
}

export function buildView(
  ctx: PayloadContext,
  viewId: string | undefined,
  partial: Json | undefined,
  o: { callbackId?: string; privateMetadata?: string; hash?: string; values?: StateValues | undefined },
): Json {
  const id =
    viewId ?? (typeof partial?.id === "string" ? partial.id : `VSIM${String(nextSeq()).padStart(7, "0")}`);
  const stored: Json = ctx.fake?.getView(id) ?? {};
  const view: Json = {
    id,
    team_id: ctx.teamId,
    type: "modal",
    blocks: [],
    private_metadata: "",
    callback_id: "",
    state: { values: {} },
    hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString("hex")}`,
    title: { type: "plain_text", text: "Modal", emoji: true },
    clear_on_close: false,
    notify_on_close: false,
    close: null,
    submit: null,
    previous_view_id: null,
    root_view_id: id,
    app_id: ctx.apiAppId,
    external_id: "",
    app_installed_team_id: ctx.teamId,
    bot_id: FAKE_BOT_ID,
    ...stored,
    ...partial,
  };
  if (o.callbackId !== undefined) view.callback_id = o.callbackId;
  if (o.privateMetadata !== undefined) view.private_metadata = o.privateMetadata;
  if (o.hash !== undefined) view.hash = o.hash;
  if (o.values !== undefined) view.state = { values: o.values };
  return view;
}

export function eventEnvelope(ctx: PayloadContext, event: Json, eventId: string): Json {
  return event.type === "event_callback" || event.type === "url_verification"
    ? event
    : {
        token: "verification-token",
        team_id: ctx.teamId,
        api_app_id: ctx.apiAppId,
        event: { event_ts: nowTs(), ...event },
        type: "event_callback",
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [
          {
            enterprise_id: null,
            team_id: ctx.teamId,
            user_id: FAKE_BOT_USER_ID,
            is_bot: true,
            is_enterprise_install: false,
          },
        ],
        is_ext_shared_channel: false,
        event_context: `4-${randomBytes(8).toString("hex")}`,
      };
}

export function toOption(v: string | OptionObject): OptionObject {
  return typeof v === "string" ? option(v) : v;
}

export function inferActionType(o: BlockActionOptions): string {
  if (o.selectedOption !== undefined) return "static_select";
  if (o.selectedOptions !== undefined) return "multi_static_select";
  if (o.selectedUser !== undefined) return "users_select";
  if (o.selectedUsers !== undefined) return "multi_users_select";
  if (o.selectedConversation !== undefined) return "conversations_select";
  if (o.selectedDate !== undefined) return "datepicker";
  if (o.selectedTime !== undefined) return "timepicker";
  return "button";
}
