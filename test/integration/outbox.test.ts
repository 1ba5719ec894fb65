import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outbox } from "../../src/db/schema/index.ts";
import { deferOutbox, enqueueOutbox, type OutboxItem } from "../../src/services/effects.ts";
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

  it("writes deferred messages in one statement at commit, in the order queued, mixed with immediate ones", async () => {
    const ref = `deferred-${Date.now()}`;
    const awkward = 'quotes " and \\ backslash, {braces}, NULL, café ✓';
    const later = new Date(Date.now() + 3_600_000);
    const { ids, outboxIds } = await inTransaction(t.governor.deps, async (tx, fx) => {
      deferOutbox(fx, { op: "post", channel: CHANNELS.committee, ref, message: { text: "deferred 1" } });
      deferOutbox(fx, { op: "reply", ref, message: { text: awkward }, broadcast: true });
      // An immediate one writes the deferred ones first: ids keep the order of the calls.
      const id = await enqueueOutbox(tx, fx, { op: "update", ref, message: { text: "immediate" } });
      deferOutbox(fx, { op: "update", ref, message: { text: "deferred 2" } });
      deferOutbox(
        fx,
        { op: "dm", user: PEOPLE.techOwner, message: { text: "tomorrow" }, workingHours: true },
        later,
      );
      expect(fx.deferredOutbox).toHaveLength(2);
      return { ids: [id], outboxIds: fx.outboxIds };
    });
    expect(outboxIds).toHaveLength(5);
    expect(outboxIds).toEqual([...outboxIds].sort((a, b) => a - b));
    expect(outboxIds[2]).toBe(ids[0]);
    const rows = await t.governor.deps.db.select().from(outbox).where(inArray(outbox.id, outboxIds));
    rows.sort((a, b) => a.id - b.id);
    expect(rows.map((r) => [r.op, (r.payload as { text: string }).text])).toEqual([
      ["post", "deferred 1"],
      ["reply", awkward],
      ["update", "immediate"],
      ["update", "deferred 2"],
      ["dm", "tomorrow"],
    ]);
    expect(rows[1]!.payload).toEqual({ text: awkward, reply_broadcast: true });
    expect(rows[4]).toMatchObject({
      target: PEOPLE.techOwner,
      ref: null,
      payload: { text: "tomorrow", workingHours: true },
    });
    expect(rows[4]!.deliverAfter.getTime()).toBe(later.getTime());
    expect(Math.abs(rows[0]!.deliverAfter.getTime() - Date.now())).toBeLessThan(60_000);
    // Delivered like any other: the post, its threaded reply, then only the latest update.
    const [post] = await t.fake.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.text === "deferred 1",
    );
    const [reply] = await t.fake.waitFor((c) => c.method === "chat.postMessage" && c.args.text === awkward);
    expect(reply!.args.thread_ts).toBe(String(post!.response.ts));
    await until(async () => (await statusOf(outboxIds[3]!)) === "sent");
  });

  it("writes no deferred message when the transaction rolls back", async () => {
    const before = await t.governor.deps.db.select().from(outbox);
    await expect(
      inTransaction(t.governor.deps, async (_tx, fx) => {
        deferOutbox(fx, { op: "post", channel: CHANNELS.committee, message: { text: "never deferred" } });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await t.governor.deps.db.select().from(outbox)).toHaveLength(before.length);
  });
});
