import { type ChatPostMessageResponse, ErrorCode, WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leanCall } from "../../src/slack/lean-call.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack-api.ts";
import { BOT_TOKEN, CHANNELS, defaultUsers } from "../support/app.ts";

let fake: FakeSlack;
let client: WebClient;
beforeAll(async () => {
  fake = await startFakeSlack({ users: defaultUsers(), validTokens: [BOT_TOKEN] });
  client = new WebClient(BOT_TOKEN, { slackApiUrl: fake.url, retryConfig: { retries: 2, minTimeout: 50 } });
});
afterAll(async () => {
  await fake?.close();
});

const post = (text: string) =>
  leanCall<ChatPostMessageResponse>(client, "chat.postMessage", {
    channel: CHANNELS.committee,
    text,
    unfurl_links: false,
  });
const callsWith = (text: string) => fake.callsTo("chat.postMessage").filter((c) => c.args.text === text);

describe("a lean Web API call", () => {
  it("posts JSON with the client's token and returns Slack's answer", async () => {
    const res = await post("lean hello");
    expect(res.ok).toBe(true);
    const [call] = callsWith("lean hello");
    expect(call!.token).toBe(BOT_TOKEN);
    expect(call!.args.unfurl_links).toBe(false); // a JSON boolean, not a form field
    expect(res.ts).toBe(call!.response.ts);
    expect(res.channel).toBe(CHANNELS.committee);
  });

  it("throws Slack's error as WebClient does", async () => {
    fake.failNext("chat.postMessage", { error: "channel_not_found" });
    const err = await post("lean refused").catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: "channel_not_found" },
    });
    expect(callsWith("lean refused")).toHaveLength(1);
  });

  it("hands a server error to the client, whose retries deliver it", async () => {
    fake.failNext("chat.postMessage", { status: 500 }, 2);
    const res = await post("lean after 500s");
    expect(res.ok).toBe(true);
    expect(callsWith("lean after 500s").map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it("waits for a 429's Retry-After before the client tries again", async () => {
    fake.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    const res = await post("lean after 429");
    expect(res.ok).toBe(true);
    const calls = callsWith("lean after 429");
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it("with a token Slack does not accept, fails like the client", async () => {
    const stranger = new WebClient("xoxb-not-ours", { slackApiUrl: fake.url });
    const err = await leanCall(stranger, "auth.test", {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.PlatformError, data: { error: "invalid_auth" } });
  });
});
