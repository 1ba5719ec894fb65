import type { AddressInfo } from "node:net";
import { App, LogLevel } from "@slack/bolt";
import type { ModalView, SectionBlock } from "@slack/types";
import { ErrorCode, WebClient } from "@slack/web-api";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { validateBlocks, validateView } from "../fakes/blockkit.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack-api.ts";
import { date, plain, SlackClientSim, select, stateValues, user } from "../support/slack-requests.ts";

const section = (text: string): SectionBlock => ({ type: "section", text: { type: "mrkdwn", text } });
const modal = (over: Partial<ModalView> = {}): ModalView => ({
  type: "modal",
  callback_id: "adr_submit",
  title: { type: "plain_text", text: "New agent request" },
  blocks: [section("hello")],
  ...over,
});

/** Runs a Web API call expected to fail and returns the error for inspection. */
async function failure(p: Promise<unknown>): Promise<Record<string, unknown>> {
  const err: unknown = await p.then(
    () => new Error("expected the call to fail"),
    (e: unknown) => e,
  );
  if (typeof err !== "object" || err === null || !("code" in err)) throw err;
  return err as Record<string, unknown>;
}

describe("fake Slack Web API", () => {
  let fake: FakeSlack;
  let client: WebClient;

  beforeAll(async () => {
    fake = await startFakeSlack({
      users: [{ id: "U001", name: "ada", email: "ada@example.com", tz: "Europe/London", tz_offset: 3600 }],
    });
    client = new WebClient("xoxb-test", {
      slackApiUrl: fake.url,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it("records calls from a real WebClient and parses form-encoded blocks back into objects", async () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    const auth = await client.auth.test();
    expect(auth).toMatchObject({ ok: true, team_id: "T0000001", user_id: "UBOT0001", bot_id: "B0000001" });

    const blocks = [section("*ADR-1* submitted"), { type: "divider" }];
    const first = await client.chat.postMessage({ channel: "C1", text: "ADR-1", blocks });
    const second = await client.chat.postMessage({ channel: "C1", text: "again", thread_ts: first.ts });
    expect(first.ts).toBe("1700000000.000100");
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(first.message?.blocks).toEqual(blocks);

    const [call] = fake.callsTo("chat.postMessage");
    expect(call).toMatchObject({ method: "chat.postMessage", ok: true, token: "xoxb-test" });
    expect(call?.args.blocks).toEqual(blocks);
    expect(call?.args.channel).toBe("C1");
    expect(call?.at).toBeLessThanOrEqual(Date.now());
    expect(fake.calls.map((c) => c.method)).toEqual(["auth.test", "chat.postMessage", "chat.postMessage"]);

    await client.chat.update({ channel: "C1", ts: first.ts ?? "", text: "ADR-1 approved", blocks: [] });
    expect(fake.getMessage("C1", first.ts ?? "")?.text).toBe("ADR-1 approved");
    const dm = await client.conversations.open({ users: "U001" });
    expect(dm.channel?.id).toBe("DU001");
    const eph = await client.chat.postEphemeral({ channel: "C1", user: "U001", text: "only you" });
    expect(eph.message_ts).toMatch(/^\d+\.\d{6}$/);
  });

  it("surfaces an injected 429 with Retry-After, a 500 and a platform error, then recovers", async () => {
    fake.failNext("chat.postMessage", { status: 429, retryAfter: 7 });
    const limited = await failure(client.chat.postMessage({ channel: "C1", text: "x" }));
    expect(limited.code).toBe(ErrorCode.RateLimitedError);
    expect(limited.retryAfter).toBe(7);

    fake.failNext("chat.postMessage", { status: 500 });
    const http = await failure(client.chat.postMessage({ channel: "C1", text: "x" }));
    expect(http.code).toBe(ErrorCode.HTTPError);
    expect(http.statusCode).toBe(500);

    fake.failNext("conversations.info", { error: "channel_not_found" }, 2);
    for (let i = 0; i < 2; i++) {
      const platform = await failure(client.conversations.info({ channel: "C404" }));
      expect(platform.code).toBe(ErrorCode.PlatformError);
      expect(platform.data).toMatchObject({ ok: false, error: "channel_not_found" });
    }
    await expect(client.chat.postMessage({ channel: "C1", text: "ok now" })).resolves.toMatchObject({
      ok: true,
    });
    expect(fake.callsTo("chat.postMessage").map((c) => [c.ok, c.status, c.error])).toEqual([
      [false, 429, "ratelimited"],
      [false, 500, "http_500"],
      [true, 200, undefined],
    ]);
  });

  it("rejects over-limit views and messages with invalid_blocks and records the violations", async () => {
    const longTitle = modal({ title: { type: "plain_text", text: "x".repeat(25) } });
    const e1 = await failure(client.views.open({ trigger_id: fake.newTriggerId(), view: longTitle }));
    expect(e1.data).toMatchObject({ ok: false, error: "invalid_blocks" });
    expect(fake.violations).toEqual(["views.open: view.title.text: 25 chars > 24"]);

    const tooMany = modal({ blocks: Array.from({ length: 101 }, (_, i) => section(`row ${i}`)) });
    await failure(client.views.open({ trigger_id: fake.newTriggerId(), view: tooMany }));
    expect(fake.violations[1]).toBe("views.open: view.blocks: 101 blocks > 100 allowed in a modal");

    const blocks = Array.from({ length: 51 }, () => ({ type: "divider" }));
    await failure(client.chat.postMessage({ channel: "C1", text: "x", blocks }));
    expect(fake.violations[2]).toMatch(/^chat\.postMessage: blocks: 51 blocks > 50/);
    expect(fake.callsTo("views.open").every((c) => !c.ok && c.error === "invalid_blocks")).toBe(true);
  });

  it("opens, updates (hash-checked) and refuses reused triggers like Slack", async () => {
    const trigger = fake.newTriggerId();
    const opened = await client.views.open({
      trigger_id: trigger,
      view: modal({ private_metadata: "adr:1" }),
    });
    const view = fake.getView(opened.view?.id ?? "");
    expect(view).toMatchObject({ callback_id: "adr_submit", private_metadata: "adr:1" });
    expect(opened.view?.id).toMatch(/^V/);
    const again = await failure(client.views.open({ trigger_id: trigger, view: modal() }));
    expect(again.data).toMatchObject({ error: "exchanged_trigger_id" });
    const stale = await failure(
      client.views.update({ view_id: view?.id ?? "", hash: "stale", view: modal() }),
    );
    expect(stale.data).toMatchObject({ error: "hash_conflict" });
    const updated = await client.views.update({ view_id: view?.id ?? "", hash: view?.hash, view: modal() });
    expect(updated.view?.hash).not.toBe(view?.hash);
  });

  it("answers users.info / users.lookupByEmail from the registry", async () => {
    const found = await client.users.lookupByEmail({ email: "ADA@example.com" });
    expect(found.user).toMatchObject({ id: "U001", name: "ada", tz: "Europe/London", tz_offset: 3600 });
    expect((await client.users.info({ user: "U001" })).user?.profile?.email).toBe("ada@example.com");
    const missing = await failure(client.users.lookupByEmail({ email: "nobody@example.com" }));
    expect(missing.data).toMatchObject({ error: "users_not_found" });
    fake.addUser({
      id: "U002",
      name: "bob",
      email: "bob@example.com",
      tz: "UTC",
      tz_offset: 0,
      is_bot: true,
    });
    expect((await client.users.info({ user: "U002" })).user?.is_bot).toBe(true);
  });

  it("answers not_authed without a token and unknown_method for unknown methods", async () => {
    const res = await fetch(`${fake.url}chat.postMessage`, { method: "POST", body: "channel=C1&text=x" });
    expect(await res.json()).toEqual({ ok: false, error: "not_authed" });
    const unknown = await failure(client.apiCall("nope.nothing"));
    expect(unknown.data).toMatchObject({ error: "unknown_method" });
  });

  it("waitFor resolves on later calls and times out with the recorded methods", async () => {
    const waiting = fake.waitFor("chat.postMessage", { count: 2, timeoutMs: 2000 });
    await client.chat.postMessage({ channel: "C1", text: "1" });
    await client.chat.postMessage({ channel: "C1", text: "2" });
    await expect(waiting).resolves.toHaveLength(2);
    await expect(fake.waitFor("views.publish", { timeoutMs: 50 })).rejects.toThrow(
      /waitFor\(views\.publish\) timed out after 50 ms: 0\/1 .*recorded \(2\): chat\.postMessage, chat\.postMessage/,
    );
  });

  it("records response_url posts", async () => {
    const url = fake.responseUrl("cmd-1");
    const body = JSON.stringify({ text: "done", replace_original: true });
    await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    const [call] = await fake.waitFor((c) => c.method === "response_url" && c.responseUrlId === "cmd-1");
    expect(call?.args).toEqual({ text: "done", replace_original: true });
  });
});

describe("Block Kit validator", () => {
  it("accepts a well-formed message and flags the classic mistakes", () => {
    const header = { type: "header", text: { type: "plain_text", text: "Hi" } };
    expect(validateBlocks([section("ok"), header], "message")).toEqual([]);
    const bad = [
      { type: "section", block_id: "a", text: { type: "mrkdwn", text: "" } },
      {
        type: "actions",
        block_id: "a",
        elements: [
          { type: "button", action_id: "go", text: { type: "plain_text", text: "y".repeat(76) } },
          { type: "button", action_id: "go", text: { type: "markdown", text: "x" }, value: "v" },
        ],
      },
    ];
    expect(validateBlocks(bad, "message")).toEqual([
      "blocks[0](section).text.text: must not be empty",
      'blocks[1](actions).block_id: duplicate block_id "a"',
      "blocks[1](actions).elements[0](button).text.text: 76 chars > 75",
      'blocks[1](actions).elements[1](button).text.type: must be "plain_text" or "mrkdwn" (got "markdown")',
      'blocks[1](actions): duplicate action_id "go" in one block',
    ]);
    expect(validateView({ type: "home", blocks: [] })).toEqual([]);
    expect(validateView({ blocks: [] }, "modal")).toContain("view.title: text object is required");
  });
});

describe("SlackClientSim against a real Bolt app", () => {
  it("signs a slash command, opens the modal on the fake and submits it", async () => {
    const fake = await startFakeSlack({ users: [{ id: "U001", name: "ada" }] });
    const app = new App({
      signingSecret: "s3cret",
      token: "xoxb-test",
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
    });
    let submitted: unknown;
    app.command("/agent-request", async ({ ack, body, client, respond }) => {
      await ack();
      await client.views.open({ trigger_id: body.trigger_id, view: modal({ private_metadata: "m1" }) });
      await respond({ response_type: "ephemeral", text: "Form opened" });
    });
    app.view("adr_submit", async ({ ack, view }) => {
      submitted = { values: view.state.values, meta: view.private_metadata };
      await ack();
    });
    const server = await app.start({ port: 0, host: "127.0.0.1" });
    try {
      const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const sim = new SlackClientSim({ appUrl, signingSecret: "s3cret", fake });
      expect((await sim.slashCommand("/agent-request", "", { userId: "U001" })).status).toBe(200);
      const [open] = await fake.waitFor("views.open");
      const [reply] = await fake.waitFor("response_url");
      expect(reply?.args).toMatchObject({ text: "Form opened" });
      expect(open?.ok).toBe(true);
      const viewId = String((open?.response.view as { id?: unknown } | undefined)?.id);
      const values = stateValues({
        name: { name_input: plain("Bot") },
        owner: { owner_select: user("U001") },
        when: { go_live: date("2026-04-15") },
        tier: { tier_select: select("3") },
      });
      const res = await sim.viewSubmission({ userId: "U001", viewId, values });
      expect(res.status).toBe(200);
      expect(submitted).toEqual({ values, meta: "m1" });
      expect(
        (await sim.slashCommand("/agent-request", "", { userId: "U001" }, { secret: "wrong" })).status,
      ).toBe(401);
      const future = Math.floor(Date.now() / 1000) + 3600;
      expect(
        (await sim.event({ type: "app_home_opened", user: "U001" }, { timestamp: future - 7200 })).status,
      ).toBe(401);
    } finally {
      await app.stop();
      await fake.close();
    }
  });
});
