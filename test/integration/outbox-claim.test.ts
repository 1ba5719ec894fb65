import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outbox } from "../../src/db/schema/index.ts";
import {
  deferOutbox,
  Effects,
  enqueueOutbox,
  flushOutbox,
  type OutboxItem,
} from "../../src/services/effects.ts";
import { CLAIM_MS, claimOutbox } from "../../src/services/outbox/claim.ts";
import { deliverOutboxItem } from "../../src/services/outbox/deliver.ts";
import { createInlineDelivery } from "../../src/services/outbox/deliver-now.ts";
import { inTransaction } from "../../src/services/run.ts";
import { CHANNELS, PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import { until } from "../support/timers.ts";

let t: TestApp; // with its worker: outbox jobs run
let idle: TestApp; // without: only what the test calls runs
beforeAll(async () => {
  t = await startTestApp();
  idle = await startTestApp({ worker: false });
});
afterAll(async () => {
  await t?.close();
  await idle?.close();
});

async function send(app: TestApp, ...items: OutboxItem[]): Promise<number[]> {
  return inTransaction(app.governor.deps, async (tx, fx) => {
    const ids: number[] = [];
    for (const item of items) ids.push(await enqueueOutbox(tx, fx, item));
    return ids;
  });
}

const rowsOf = (app: TestApp, ids: number[]) =>
  app.governor.deps.db.select().from(outbox).where(inArray(outbox.id, ids)).orderBy(outbox.id);
const postsOf = (app: TestApp, text: string) =>
  app.fake.callsTo("chat.postMessage").filter((c) => c.ok && c.args.text === text);
const noWorkingHours = () => new Date(0);

describe("claiming outbox items", () => {
  it("gives each pending item to one claimer only", async () => {
    const ids = await send(
      idle,
      ...Array.from({ length: 20 }, (_, i) => ({
        op: "post" as const,
        channel: CHANNELS.committee,
        message: { text: `claimed ${i}` },
      })),
    );
    const now = idle.governor.deps.now();
    const [a, b] = await Promise.all([
      claimOutbox(idle.governor.deps.db, ids, now),
      claimOutbox(idle.governor.deps.db, ids, now),
    ]);
    expect([...a!, ...b!].map((r) => r.id).sort((x, y) => x - y)).toEqual(ids);
    expect(await claimOutbox(idle.governor.deps.db, ids, now)).toEqual([]);
  });

  it("an outbox job meeting a claimed item waits for the claim; if its holder died, it delivers once the claim lapses", async () => {
    const deps = idle.governor.deps;
    const [id] = await send(idle, { op: "dm", user: PEOPLE.steward, message: { text: "held by the dead" } });
    const [held] = await claimOutbox(deps.db, [id!], deps.now()); // a deliverer that then dies
    expect(held!.deliverAfter.getTime()).toBeLessThanOrEqual(held!.createdAt.getTime() + 1000);
    const waits = await deliverOutboxItem(deps, id!, noWorkingHours);
    expect(waits).toMatchObject({ deferUntil: expect.any(Date) });
    const until = (waits as { deferUntil: Date }).deferUntil.getTime() - deps.now().getTime();
    expect(until).toBeGreaterThan(CLAIM_MS - 5000);
    expect(postsOf(idle, "held by the dead")).toHaveLength(0);

    const later = { ...deps, now: () => new Date(Date.now() + CLAIM_MS + 1000) };
    expect(await deliverOutboxItem(later, id!, noWorkingHours)).toBe("sent");
    expect(await deliverOutboxItem(later, id!, noWorkingHours)).toBe("skipped");
    expect(postsOf(idle, "held by the dead")).toHaveLength(1);
    const [row] = await rowsOf(idle, [id!]);
    expect(row?.status).toBe("sent");
    expect(row!.deliverAfter.getTime()).toBeLessThanOrEqual(later.now().getTime()); // when it was due to its deliverer
  });
});

describe("delivering right after a firing", () => {
  it("messages written claimed by the firing transaction go out at once, each once, with its own ts recorded", async () => {
    const deps = idle.governor.deps;
    const fx = new Effects();
    const texts = Array.from({ length: 20 }, (_, i) => `pre-claimed ${i}`);
    await deps.db.transaction(async (tx) => {
      for (const [i, text] of texts.entries())
        deferOutbox(
          fx,
          i % 2
            ? { op: "dm", user: PEOPLE.steward, message: { text } }
            : { op: "post", channel: CHANNELS.oncall, message: { text } },
        );
      deferOutbox(
        fx,
        { op: "dm", user: PEOPLE.steward, message: { text: "pre-claimed, later" } },
        new Date(Date.now() + 3_600_000),
      );
      await flushOutbox(tx, fx, CLAIM_MS);
    });
    // Those due now come back claimed, in queued order; the one that waits is left to its job.
    expect(fx.claimedOutbox.map((r) => (r.payload as { text: string }).text)).toEqual(texts);
    expect(fx.outboxIds).toHaveLength(1);
    const ids = fx.claimedOutbox.map((r) => r.id);
    for (const [row, item] of (await rowsOf(idle, ids)).map((r, i) => [r, fx.claimedOutbox[i]!] as const)) {
      expect(row.deliverAfter.getTime() - row.createdAt.getTime()).toBe(CLAIM_MS);
      expect(Math.abs(item.deliverAfter.getTime() - row.createdAt.getTime())).toBeLessThanOrEqual(1);
    }
    // Claimed: an outbox job meeting one waits, and a claim statement gets none of them.
    expect(await deliverOutboxItem(deps, ids[0]!, noWorkingHours)).toMatchObject({
      deferUntil: expect.any(Date),
    });
    expect(await claimOutbox(deps.db, ids, deps.now())).toEqual([]);

    const inline = createInlineDelivery(deps, noWorkingHours, 8);
    expect(await inline.deliverClaimed(fx.claimedOutbox)).toEqual([]);
    const rows = await rowsOf(idle, ids);
    for (const [i, row] of rows.entries()) {
      const [post] = postsOf(idle, texts[i]!);
      expect(postsOf(idle, texts[i]!)).toHaveLength(1);
      expect(row.status).toBe("sent");
      expect(row.resultTs).toBe(post!.response.ts); // each its own, though marked in groups
      expect(row.deliverAfter.getTime()).toBeLessThanOrEqual(row.createdAt.getTime() + 1); // as before the claim
    }
  });

  it("messages written claimed whose deliverer died go out once the claim lapses", async () => {
    const deps = idle.governor.deps;
    const fx = new Effects();
    await deps.db.transaction(async (tx) => {
      deferOutbox(fx, { op: "post", channel: CHANNELS.oncall, message: { text: "claimed by the dead" } });
      await flushOutbox(tx, fx, CLAIM_MS);
    });
    const [item] = fx.claimedOutbox;
    expect(await deliverOutboxItem(deps, item!.id, noWorkingHours)).toMatchObject({
      deferUntil: expect.any(Date),
    });
    const later = { ...deps, now: () => new Date(Date.now() + CLAIM_MS + 1000) };
    expect(await deliverOutboxItem(later, item!.id, noWorkingHours)).toBe("sent");
    expect(postsOf(idle, "claimed by the dead")).toHaveLength(1);
  });

  it("sends each message once while the items' own outbox jobs race for them", async () => {
    const inline = createInlineDelivery(t.governor.deps, noWorkingHours, 8);
    const texts = Array.from({ length: 40 }, (_, i) => `raced ${i}`);
    const ids = await send(
      t,
      ...texts.map((text, i) =>
        i % 2
          ? { op: "dm" as const, user: PEOPLE.requester, message: { text } }
          : { op: "post" as const, channel: CHANNELS.oncall, message: { text } },
      ),
    );
    const left = await inline.deliver(ids); // the jobs were enqueued at the commit, before this
    await until(async () => (await rowsOf(t, ids)).every((r) => r.status === "sent"), 15_000);
    await new Promise((r) => setTimeout(r, 500));
    for (const text of texts) expect(postsOf(t, text)).toHaveLength(1);
    // Whatever inline did not send was an item its job held: nothing failed.
    expect(left.every((l) => l.at === undefined)).toBe(true);
  });

  it("keeps thread replies after their parent, and leaves a DM that waits for working hours to its job", async () => {
    const deps = idle.governor.deps;
    const morning = new Date(deps.now().getTime() + 10 * 3_600_000);
    const inline = createInlineDelivery(deps, () => morning, 8);
    const ref = `inline-${Date.now()}`;
    const ids = await send(
      idle,
      { op: "post", channel: CHANNELS.committee, ref, message: { text: "inline parent" } },
      { op: "reply", ref, message: { text: "inline reply 1" } },
      { op: "reply", ref, message: { text: "inline reply 2" } },
      { op: "dm", user: PEOPLE.business, message: { text: "at their morning" }, workingHours: true },
    );
    const left = await inline.deliver(ids);
    expect(left).toEqual([{ outboxId: ids[3], at: morning }]);
    const [parent] = postsOf(idle, "inline parent");
    const replies = ["inline reply 1", "inline reply 2"].map((text) => postsOf(idle, text)[0]!);
    expect(replies.map((r) => r.args.thread_ts)).toEqual([parent!.response.ts, parent!.response.ts]);
    expect(replies[0]!.at).toBeLessThanOrEqual(replies[1]!.at);
    expect(postsOf(idle, "at their morning")).toHaveLength(0);
    const rows = await rowsOf(idle, ids);
    expect(rows.map((r) => r.status)).toEqual(["sent", "sent", "sent", "pending"]);
    expect(rows[3]!.deliverAfter).toEqual(morning);
  });
});

describe("DM channels", () => {
  it("opens a person's DM once for many messages, and afresh when Slack no longer accepts it", async () => {
    const deps = idle.governor.deps;
    const inline = createInlineDelivery(deps, noWorkingHours, 8);
    const opens = () => idle.fake.callsTo("conversations.open").filter((c) => c.args.users === PEOPLE.ethics);
    const ids = await send(
      idle,
      ...[1, 2, 3].map((n) => ({ op: "dm" as const, user: PEOPLE.ethics, message: { text: `dm ${n}` } })),
    );
    expect(await inline.deliver(ids)).toEqual([]);
    expect(opens()).toHaveLength(1);
    for (const n of [1, 2, 3]) expect(postsOf(idle, `dm ${n}`)).toHaveLength(1);

    idle.fake.failNext("chat.postMessage", { error: "channel_not_found" });
    const [id] = await send(idle, { op: "dm", user: PEOPLE.ethics, message: { text: "dm after a change" } });
    expect(await inline.deliver([id!])).toEqual([]);
    expect(opens()).toHaveLength(2);
    expect(postsOf(idle, "dm after a change")).toHaveLength(1);
    const [row] = await deps.db.select().from(outbox).where(eq(outbox.id, id!));
    expect(row?.status).toBe("sent");
  });
});
