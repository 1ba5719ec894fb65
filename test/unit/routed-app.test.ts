import type { App, Receiver } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { RoutedApp } from "../../src/slack/routed-app.ts";

const receiver: Receiver = { init: () => {}, start: async () => {}, stop: async () => {} };

/** Typed as the listener files see it: Bolt's App. */
function newApp(errors: unknown[] = []): App {
  const app = new RoutedApp({
    token: "xoxb-unit",
    botId: "B0UNIT",
    botUserId: "U0BOT",
    receiver,
    tokenVerificationEnabled: false,
    convoStore: false,
  });
  app.error(async (err) => void errors.push(err));
  return app;
}

const base = { team: { id: "T1", domain: "x" }, api_app_id: "A1", user: { id: "U1" } };
const command = (name: string) => ({
  team_id: "T1",
  user_id: "U1",
  channel_id: "C1",
  command: name,
  text: "",
  trigger_id: "1.2.x",
  response_url: "http://127.0.0.1:9/r",
  api_app_id: "A1",
});
const action = (actionId: string) => ({
  ...base,
  type: "block_actions",
  trigger_id: "1.2.x",
  actions: [{ type: "button", action_id: actionId, block_id: "b", action_ts: "1" }],
});
const view = (type: "view_submission" | "view_closed", callbackId: string) => ({
  ...base,
  type,
  view: { id: "V1", callback_id: callbackId, type: "modal", state: { values: {} } },
});
const event = (type: string) => ({
  team_id: "T1",
  api_app_id: "A1",
  type: "event_callback",
  event_id: "Ev1",
  event_time: 1,
  event: { type, user: "U1", channel: "D1", tab: "home", event_ts: "1" },
});

async function deliver(app: App, body: object): Promise<void> {
  await app.processEvent({ body: body as never, ack: async () => {} });
}

describe("RoutedApp", () => {
  it("runs only the listener filed under the request's command, action_id, callback_id or event type", async () => {
    const app = newApp();
    const heard: string[] = [];
    app.command("/agent-request", async ({ ack }) => {
      heard.push("request");
      await ack();
    });
    app.command("/agent-inventory", async () => void heard.push("inventory"));
    app.action(
      "approve",
      async ({ action }) => void heard.push(`approve:${(action as { block_id: string }).block_id}`),
    );
    app.action("reject", async () => void heard.push("reject"));
    app.view("adr_request", async ({ view: v }) => void heard.push(`submit:${v.id}`));
    app.event("app_home_opened", async ({ event: e }) => void heard.push(`home:${e.type}`));
    await deliver(app, command("/agent-request"));
    await deliver(app, action("approve"));
    await deliver(app, view("view_submission", "adr_request"));
    await deliver(app, event("app_home_opened"));
    await deliver(app, command("/unknown"));
    expect(heard).toEqual(["request", "approve:b", "submit:V1", "home:app_home_opened"]);
  });

  it("treats a bare callback_id as a view_submission, and a view_closed only when asked for", async () => {
    const app = newApp();
    const heard: string[] = [];
    app.view("adr_request", async () => void heard.push("submitted"));
    app.view({ callback_id: "adr_request", type: "view_closed" }, async () => void heard.push("closed"));
    await deliver(app, view("view_closed", "adr_request"));
    await deliver(app, view("view_submission", "adr_request"));
    expect(heard).toEqual(["closed", "submitted"]);
  });

  it("leaves other forms (a RegExp) to Bolt, alongside the filed listeners", async () => {
    const app = newApp();
    const heard: string[] = [];
    app.action(
      /^quorum_vote_/,
      async ({ action: a }) => void heard.push(`regexp:${(a as { action_id: string }).action_id}`),
    );
    app.action("quorum_vote_keep", async () => void heard.push("filed"));
    await deliver(app, action("quorum_vote_keep"));
    await deliver(app, action("quorum_vote_restore"));
    expect(heard.sort()).toEqual(["filed", "regexp:quorum_vote_keep", "regexp:quorum_vote_restore"]);
  });

  it("runs a listener's middleware chain in order, and several listeners on one id", async () => {
    const app = newApp();
    const heard: string[] = [];
    app.command(
      "/agent-request",
      async ({ next }) => {
        heard.push("first");
        await next();
      },
      async () => void heard.push("second"),
    );
    app.command("/agent-request", async () => void heard.push("another"));
    await deliver(app, command("/agent-request"));
    expect(heard.sort()).toEqual(["another", "first", "second"]);
  });

  it("hands a listener's failure to the app's error handler", async () => {
    const errors: unknown[] = [];
    const app = newApp(errors);
    app.action("approve", async () => {
      throw new Error("listener failed");
    });
    await deliver(app, action("approve"));
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as { message: string }).message)).toContain("listener failed");
  });
});
