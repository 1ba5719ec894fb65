import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outbox } from "../../src/db/schema/index.ts";
import { enqueueOutbox, type OutboxItem } from "../../src/services/effects.ts";
import { inTransaction } from "../../src/services/run.ts";
import { CHANNELS, PEOPLE, startTestApp, type TestApp } from "../support/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function send(...items: OutboxItem[]): Promise<number[]> {
  return inTransaction(t.governor.deps, async (tx, fx) => {
    const ids: number[] = [];
    for (const item of items) ids.push(await enqueueOutbox(tx, fx, item));
    return ids;
  });
}

async function statusOf(id: number): Promise<string | undefined> {
  const [row] = await t.governor.deps.db.select().from(outbox).where(eq(outbox.id, id));
  return row?.status;
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("the outbox", () => {
  it("posts a message, then threads a reply and updates it in place by ref", async () => {
    const ref = `test-${Date.now()}`;
    await send(
      { op: "post", channel: CHANNELS.committee, ref, message: { text: "the request" } },
      { op: "reply", ref, message: { text: "a vote" } },
      { op: "update", ref, message: { text: "the request, updated" } },
    );
    const [post] = await t.fake.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.text === "the request",
    );
    const [reply] = await t.fake.waitFor((c) => c.method === "chat.postMessage" && c.args.text === "a vote");
    const [update] = await t.fake.waitFor("chat.update");
    const ts = String(post!.response.ts);
    expect(reply!.args.thread_ts).toBe(ts);
    expect(update!.args).toMatchObject({ channel: CHANNELS.committee, ts, text: "the request, updated" });
  });

  it("opens a DM before posting to a person", async () => {
    await send({ op: "dm", user: PEOPLE.techOwner, message: { text: "please assess" } });
    const [dm] = await t.fake.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.text === "please assess",
    );
    expect(t.fake.callsTo("conversations.open").some((c) => c.args.users === PEOPLE.techOwner)).toBe(true);
    expect(String(dm!.args.channel)).toMatch(/^D/);
  });

  it("survives a rate limit: the message arrives after Retry-After and is marked sent once", async () => {
    t.fake.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    const [id] = await send({ op: "post", channel: CHANNELS.oncall, message: { text: "after a 429" } });
    await until(async () => (await statusOf(id!)) === "sent", 15_000);
    const calls = t.fake.calls.filter(
      (c) => c.method === "chat.postMessage" && c.args.text === "after a 429",
    );
    expect(calls.map((c) => c.ok)).toEqual([false, true]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it("retries a server error until Slack answers", async () => {
    t.fake.failNext("chat.postMessage", { status: 500 }, 2);
    const [id] = await send({ op: "post", channel: CHANNELS.board, message: { text: "after two 500s" } });
    await until(async () => (await statusOf(id!)) === "sent", 20_000);
    const ok = t.fake.calls.filter(
      (c) => c.method === "chat.postMessage" && c.args.text === "after two 500s" && c.ok,
    );
    expect(ok).toHaveLength(1);
  });

  it("marks a message Slack will never accept as dead instead of retrying forever", async () => {
    t.fake.failNext("chat.postMessage", { error: "channel_not_found" });
    const [id] = await send({ op: "post", channel: "CGONE00001", message: { text: "to nowhere" } });
    await until(async () => (await statusOf(id!)) === "dead");
    const [row] = await t.governor.deps.db.select().from(outbox).where(eq(outbox.id, id!));
    expect(row!.lastError).toBe("channel_not_found");
  });

  it("writes nothing when the transaction rolls back", async () => {
    const before = await t.governor.deps.db.select().from(outbox);
    await expect(
      inTransaction(t.governor.deps, async (tx, fx) => {
        await enqueueOutbox(tx, fx, { op: "post", channel: CHANNELS.committee, message: { text: "never" } });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await t.governor.deps.db.select().from(outbox)).toHaveLength(before.length);
    await new Promise((r) => setTimeout(r, 300));
    expect(t.fake.calls.some((c) => c.args.text === "never")).toBe(false);
  });
});
