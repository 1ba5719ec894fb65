import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PEOPLE, startTestApp, type TestApp } from "../support/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe("the running app", () => {
  it("answers /healthz with both stores ok", async () => {
    const res = await fetch(`${t.governor.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ db: "ok", redis: "ok" });
  });

  it.each(["/agent-request", "/agent-incident", "/agent-inventory"])(
    "explains %s help ephemerally",
    async (cmd) => {
      const res = await t.slack.slashCommand(cmd, "help", { userId: PEOPLE.requester });
      expect(res.status).toBe(200);
      const body = res.body as { response_type: string; text: string; blocks: unknown[] };
      expect(body.response_type).toBe("ephemeral");
      expect(body.text).toContain(cmd);
      expect(body.blocks.length).toBeGreaterThan(1);
    },
  );

  it("refuses an unsigned request with 401 and does nothing", async () => {
    const before = t.fake.calls.length;
    const res = await t.slack.slashCommand(
      "/agent-request",
      "help",
      { userId: PEOPLE.requester },
      { signature: null },
    );
    expect(res.status).toBe(401);
    expect(t.fake.calls.length).toBe(before);
  });

  it("refuses a mis-signed request with 401", async () => {
    const res = await t.slack.slashCommand(
      "/agent-request",
      "help",
      { userId: PEOPLE.requester },
      { secret: "wrong-secret-xyz" },
    );
    expect(res.status).toBe(401);
  });

  // Well past the five minutes Slack allows: one second past it would pass whenever the
  // clock's second ticks over between signing and checking.
  it.each([
    ["stale", -310],
    ["from the future", 310],
  ])("refuses a %s timestamp with 401", async (_label, skew) => {
    const res = await t.slack.slashCommand(
      "/agent-request",
      "help",
      { userId: PEOPLE.requester },
      { timestamp: Math.floor(Date.now() / 1000) + skew },
    );
    expect(res.status).toBe(401);
  });

  it("turns a failing handler into a polite ephemeral message, never silence", async () => {
    t.fake.failNext("response_url", { status: 500 }, 5);
    const res = await t.slack.slashCommand("/agent-request", "frobnicate", {
      userId: PEOPLE.requester,
      channelId: "CSOMEWHERE",
    });
    expect(res.status).toBe(200);
    const [note] = await t.fake.waitFor(
      (c) =>
        c.method === "chat.postEphemeral" &&
        c.args.user === PEOPLE.requester &&
        c.args.channel === "CSOMEWHERE",
    );
    expect(String(note!.args.text)).toMatch(/something went wrong on our side.*reference: `[0-9a-f]{6}`/s);
  });

  it("answers 404 with a JSON body for unknown paths", async () => {
    const res = await fetch(`${t.governor.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "not_found" });
  });
});
