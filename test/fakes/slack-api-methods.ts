/**
 * Built-in Web API methods of the fake Slack: realistic answers for what the app calls.
 * Errors follow Slack's codes (channel_not_found, no_text, user_not_found, users_not_found,
 * hash_conflict, expired_trigger_id, invalid_blocks, ...).
 */
import {
  type Args,
  FAKE_APP_ID,
  FAKE_BOT_ID,
  FAKE_BOT_USER_ID,
  type FakeSlackState,
  type FakeUser,
  invalidBlocks,
  type SlackAnswer,
  type StoredView,
  str,
} from "./slack-api-state.ts";

export interface HandlerContext {
  state: FakeSlackState;
  token: string | undefined;
}
export type MethodHandler = (args: Args, ctx: HandlerContext) => SlackAnswer | Promise<SlackAnswer>;

const fail = (error: string, extra: Args = {}): SlackAnswer => ({ ok: false, error, ...extra });

function userJson(u: FakeUser, teamId: string): Args {
  const realName = u.real_name ?? u.name;
  return {
    id: u.id,
    team_id: teamId,
    name: u.name,
    deleted: u.deleted ?? false,
    real_name: realName,
    tz: u.tz,
    tz_label: u.tz,
    tz_offset: u.tz_offset,
    is_bot: u.is_bot ?? false,
    is_app_user: false,
    is_admin: false,
    profile: { email: u.email, real_name: realName, display_name: u.name, real_name_normalized: realName },
  };
}

/** Posting to a user id opens (fakes) the DM, as Slack does. */
const resolveChannel = (channel: string): string => (/^[UW]/.test(channel) ? `D${channel}` : channel);

function postMessage(method: string, args: Args, state: FakeSlackState): SlackAnswer {
  const rawChannel = str(args.channel);
  if (rawChannel === undefined) return fail("channel_not_found");
  const text = typeof args.text === "string" ? args.text : undefined;
  if (!text && args.blocks === undefined && args.attachments === undefined) return fail("no_text");
  if (text !== undefined && text.length > 40_000) return fail("msg_too_long");
  const errors = state.check(method, { blocks: args.blocks, surface: "message" });
  if (errors.length > 0) return invalidBlocks(errors);
  const channel = resolveChannel(rawChannel);
  const ts = state.nextTs();
  const message = {
    channel,
    ts,
    text,
    blocks: args.blocks,
    thread_ts: str(args.thread_ts),
    user: FAKE_BOT_USER_ID,
    bot_id: FAKE_BOT_ID,
  };
  state.messages.set(state.messageKey(channel, ts), message);
  const { channel: _c, ...rest } = message;
  return {
    ok: true,
    channel,
    ts,
    message: { type: "message", app_id: FAKE_APP_ID, team: state.team.id, ...rest },
  };
}

function openView(method: string, args: Args, state: FakeSlackState): SlackAnswer {
  const triggerError = state.checkTrigger(args);
  if (triggerError !== undefined) return fail(triggerError);
  const errors = state.check(method, { view: args.view, surface: "modal" });
  if (errors.length > 0) return invalidBlocks(errors);
  state.consumeTrigger(args);
  return { ok: true, view: storeView(state, args.view, undefined) };
}

function storeView(state: FakeSlackState, view: unknown, previous: StoredView | undefined): StoredView {
  const input = typeof view === "object" && view !== null ? (view as Args) : {};
  const id = previous?.id ?? state.nextId("V");
  const stored: StoredView = {
    team_id: state.team.id,
    private_metadata: "",
    callback_id: "",
    external_id: "",
    clear_on_close: false,
    notify_on_close: false,
    previous_view_id: null,
    root_view_id: previous?.root_view_id ?? id,
    app_id: FAKE_APP_ID,
    app_installed_team_id: state.team.id,
    bot_id: FAKE_BOT_ID,
    ...input,
    id,
    type: typeof input.type === "string" ? input.type : "modal",
    hash: state.newHash(),
    state: { values: {} },
  };
  state.views.set(id, stored);
  return stored;
}

function findView(state: FakeSlackState, args: Args): StoredView | undefined {
  const viewId = str(args.view_id);
  if (viewId !== undefined) return state.views.get(viewId);
  const externalId = str(args.external_id);
  return [...state.views.values()].find((v) => v.external_id === externalId);
}

export const BUILTIN_METHODS: Record<string, MethodHandler> = {
  "api.test": (args) => ({ ok: true, args }),
  "auth.test": (_args, { state }) => ({
    ok: true,
    url: `https://${state.team.domain}.slack.com/`,
    team: state.team.name,
    user: "agent-governor",
    team_id: state.team.id,
    user_id: FAKE_BOT_USER_ID,
    bot_id: FAKE_BOT_ID,
    is_enterprise_install: false,
  }),
  "team.info": (_args, { state }) => ({
    ok: true,
    team: { ...state.team, email_domain: "", icon: { image_default: true } },
  }),

  "chat.postMessage": (args, { state }) => postMessage("chat.postMessage", args, state),
  "chat.update": (args, { state }) => {
    const channel = str(args.channel);
    const ts = str(args.ts);
    if (channel === undefined) return fail("channel_not_found");
    if (ts === undefined) return fail("message_not_found");
    const errors = state.check("chat.update", { blocks: args.blocks, surface: "message" });
    if (errors.length > 0) return invalidBlocks(errors);
    const key = state.messageKey(channel, ts);
    const old = state.messages.get(key);
    const text = typeof args.text === "string" ? args.text : old?.text;
    const blocks = args.blocks ?? old?.blocks;
    const updated = { user: FAKE_BOT_USER_ID, bot_id: FAKE_BOT_ID, ...old, channel, ts, text, blocks };
    state.messages.set(key, updated);
    return { ok: true, channel, ts, text, message: { type: "message", text, blocks, user: updated.user } };
  },
  "chat.postEphemeral": (args, { state }) => {
    if (str(args.channel) === undefined) return fail("channel_not_found");
    if (str(args.user) === undefined) return fail("user_not_in_channel");
    if (!args.text && args.blocks === undefined && args.attachments === undefined) return fail("no_text");
    const errors = state.check("chat.postEphemeral", { blocks: args.blocks, surface: "message" });
    if (errors.length > 0) return invalidBlocks(errors);
    return { ok: true, message_ts: state.nextTs() };
  },
  "chat.delete": (args, { state }) => {
    const channel = str(args.channel);
    const ts = str(args.ts);
    if (channel === undefined) return fail("channel_not_found");
    if (ts === undefined) return fail("message_not_found");
    state.messages.delete(state.messageKey(channel, ts));
    return { ok: true, channel, ts };
  },

  "views.open": (args, { state }) => openView("views.open", args, state),
  "views.push": (args, { state }) => openView("views.push", args, state),
  "views.update": (args, { state }) => {
    if (str(args.view_id) === undefined && str(args.external_id) === undefined)
      return fail("invalid_arguments");
    const previous = findView(state, args);
    if (previous === undefined && str(args.view_id) === undefined) return fail("not_found");
    const hash = str(args.hash);
    if (previous !== undefined && hash !== undefined && hash !== previous.hash) return fail("hash_conflict");
    const errors = state.check("views.update", { view: args.view, surface: "modal" });
    if (errors.length > 0) return invalidBlocks(errors);
    // An unknown view_id is accepted (a test may submit a view the fake never opened).
    const base = previous ?? ({ id: String(args.view_id), hash: "", type: "modal" } satisfies StoredView);
    return { ok: true, view: storeView(state, args.view, base) };
  },
  "views.publish": (args, { state }) => {
    const userId = str(args.user_id);
    if (userId === undefined) return fail("invalid_arguments");
    const previous = state.views.get(state.homeViews.get(userId) ?? "");
    const hash = str(args.hash);
    if (previous !== undefined && hash !== undefined && hash !== previous.hash) return fail("hash_conflict");
    const errors = state.check("views.publish", { view: args.view, surface: "home" });
    if (errors.length > 0) return invalidBlocks(errors);
    const view = storeView(state, args.view, previous);
    state.homeViews.set(userId, view.id);
    return { ok: true, view };
  },

  "conversations.open": (args) => {
    const users = (str(args.users) ?? "").split(",").filter((u) => u !== "");
    const channel = str(args.channel);
    if (channel !== undefined) return { ok: true, no_op: true, already_open: true, channel: { id: channel } };
    if (users.length === 0) return fail("users_list_not_supplied");
    const id = users.length === 1 ? `D${users[0]}` : `G${users.join("")}`;
    return { ok: true, no_op: true, already_open: true, channel: { id } };
  },
  "conversations.info": (args, { state }) => {
    const id = str(args.channel);
    if (id === undefined) return fail("channel_not_found");
    const known = state.channels.get(id);
    const isIm = id.startsWith("D");
    return {
      ok: true,
      channel: {
        id,
        name: known?.name ?? id.toLowerCase(),
        is_channel: id.startsWith("C"),
        is_group: id.startsWith("G"),
        is_im: isIm,
        is_private: known?.is_private ?? (isIm || id.startsWith("G")),
        is_archived: known?.is_archived ?? false,
        is_member: true,
        created: 1_700_000_000,
        ...(isIm ? { user: id.slice(1) } : {}),
      },
    };
  },
  "conversations.members": (args, { state }) => {
    const id = str(args.channel);
    if (id === undefined) return fail("channel_not_found");
    return {
      ok: true,
      members: state.channels.get(id)?.members ?? [],
      response_metadata: { next_cursor: "" },
    };
  },

  "users.info": (args, { state }) => {
    const user = state.users.get(str(args.user) ?? "");
    return user ? { ok: true, user: userJson(user, state.team.id) } : fail("user_not_found");
  },
  "users.lookupByEmail": (args, { state }) => {
    const user = state.findUserByEmail(str(args.email) ?? "");
    return user ? { ok: true, user: userJson(user, state.team.id) } : fail("users_not_found");
  },
  "usergroups.users.list": (args, { state }) => {
    const users = state.usergroups.get(str(args.usergroup) ?? "");
    return users ? { ok: true, users } : fail("no_such_subteam");
  },

  "reactions.add": (args, { state }) => {
    const channel = str(args.channel);
    const ts = str(args.timestamp);
    const name = str(args.name);
    if (channel === undefined) return fail("channel_not_found");
    if (ts === undefined) return fail("message_not_found");
    if (name === undefined) return fail("invalid_name");
    const key = `${channel}/${ts}/${name}`;
    if (state.reactions.has(key)) return fail("already_reacted");
    state.reactions.add(key);
    return { ok: true };
  },
};
