import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEntries, remediationItems } from "../../src/db/schema/index.ts";
import { PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import { adrInReview } from "../support/adr-fixtures.ts";
import {
  adrRow,
  agentRow,
  auditFor,
  blocksText,
  click,
  dmsTo,
  isoDate,
  outboxDrained,
  pseudonym,
  requestMessage,
  shownRequest,
  submitModal,
  threadPosts,
  until,
} from "../support/approval.ts";
import { date, plain, stateValues, user } from "../support/slack-values.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const { chair, ciso, techOwner, steward, requester, outsider } = PEOPLE;
const itemsOf = (adrId: number) =>
  t.governor.deps.db.select().from(remediationItems).where(eq(remediationItems.adrId, adrId));

/** The "Mark done" DM the owner got for `itemId`, as a message a click can come from. */
async function markDoneDm(owner: string, itemId: number) {
  const dm = await until("Mark done DM", async () =>
    dmsTo(t, owner).find((c) => blocksText(c.args.blocks).includes(`"item-${itemId}"`)),
  );
  return { channel: String(dm.response.channel), ts: String(dm.response.ts) };
}

async function openHome(userId: string) {
  const before = t.fake.callsTo("views.publish").filter((c) => c.args.user_id === userId).length;
  await t.slack.event({ type: "app_home_opened", user: userId, channel: `D${userId}`, tab: "home" });
  const calls = await t.fake.waitFor((c) => c.method === "views.publish" && c.args.user_id === userId, {
    count: before + 1,
  });
  return calls.at(-1)!;
}

describe("conditional approval: conditions are tracked until done, then the request is approved", () => {
  it("creates one item per condition, lets only its owner mark it done, and approves when all are done", async () => {
    const { adrId, agentId } = await adrInReview(t, { tier: 2 });
    const message = await requestMessage(t, adrId);
    const res = await submitModal(
      t,
      techOwner,
      "conditional",
      adrId,
      stateValues({
        "conditions.0.text": { value: plain("Rotate the CRM API key") },
        "conditions.0.owner": { value: user(techOwner) },
        "conditions.0.deadline": { value: date(isoDate(14)) },
        "conditions.2.text": { value: plain("Sign the vendor DPA") },
        "conditions.2.owner": { value: user(steward) },
        "conditions.2.deadline": { value: date(isoDate(30)) },
      }),
    );
    expect(res.body).toBe("");
    await click(t, ciso, "approve", adrId);
    await until("conditional", async () => (await adrRow(t, adrId)).status === "conditional");
    const items = await itemsOf(adrId);
    expect(items.map((i) => [i.description, i.owner, i.status, i.source])).toEqual([
      ["Rotate the CRM API key", techOwner, "open", "adr_condition"],
      ["Sign the vendor DPA", steward, "open", "adr_condition"],
    ]);
    expect((await agentRow(t, agentId)).approvalStatus).toBe("conditional");
    const [rotate, dpa] = items;

    // The steward completes theirs from the DM; an outsider may not.
    const dm = await markDoneDm(steward, dpa!.id);
    await t.slack.blockAction({
      userId: outsider,
      actionId: "approval_condition_done",
      value: `item-${dpa!.id}`,
      message: dm,
    });
    await t.fake.waitFor((c) => c.method === "chat.postEphemeral" && c.args.user === outsider);
    const denied = await until("access_denied for the item", async () => {
      const rows = await t.governor.deps.db
        .select()
        .from(auditEntries)
        .where(
          and(
            eq(auditEntries.eventType, "access_denied"),
            sql`${auditEntries.data}->>'itemId' = ${String(dpa!.id)}`,
          ),
        );
      return rows[0];
    });
    expect(denied.actor).toBe(pseudonym(t, outsider));
    expect((await itemsOf(adrId)).find((i) => i.id === dpa!.id)?.status).toBe("open");

    const opened = t.fake.callsTo("views.open").length;
    await t.slack.blockAction({
      userId: steward,
      actionId: "approval_condition_done",
      value: `item-${dpa!.id}`,
      message: dm,
    });
    const [view] = (await t.fake.waitFor("views.open", { count: opened + 1 })).slice(opened);
    const viewId = String((view!.response.view as { id: string }).id);
    const empty = await t.slack.viewSubmission({
      userId: steward,
      viewId,
      values: stateValues({ evidence: { value: plain(" ") } }),
    });
    expect(empty.body).toMatchObject({ response_action: "errors", errors: { evidence: expect.any(String) } });
    await t.slack.viewSubmission({
      userId: steward,
      viewId,
      values: stateValues({ evidence: { value: plain("DPA signed 2025-05-01") } }),
    });
    await until(
      "item done",
      async () => (await itemsOf(adrId)).find((i) => i.id === dpa!.id)?.status === "done",
    );
    expect((await adrRow(t, adrId)).status).toBe("conditional");

    // The technical owner completes the last one from the App Home.
    const home = await openHome(techOwner);
    expect(blocksText(home.args.view)).toContain(`item-${rotate!.id}`);
    const homeView = home.response.view as { id: string };
    const before = t.fake.callsTo("views.open").length;
    await t.slack.blockAction({
      userId: techOwner,
      actionId: "approval_condition_done",
      value: `item-${rotate!.id}`,
      viewId: homeView.id,
    });
    const [modal] = (await t.fake.waitFor("views.open", { count: before + 1 })).slice(before);
    await t.slack.viewSubmission({
      userId: techOwner,
      viewId: String((modal!.response.view as { id: string }).id),
      values: stateValues({ evidence: { value: plain("Key rotated, ticket SEC-42") } }),
    });
    await until("approved", async () => (await adrRow(t, adrId)).status === "approved");
    expect((await agentRow(t, agentId)).approvalStatus).toBe("approved");
    const done = await auditFor(t, "condition_completed", adrId);
    expect(done.map((e) => [e.actor, (e.data as { adrApproved: boolean }).adrApproved])).toEqual([
      [pseudonym(t, steward), false],
      [pseudonym(t, techOwner), true],
    ]);
    await until("requester told", async () =>
      dmsTo(t, requester).some((c) => String(c.args.text).includes("every condition is done")),
    );
    await until("message says so", async () =>
      blocksText((await shownRequest(t, adrId)).blocks).includes("Every condition is now done"),
    );
    expect(threadPosts(t, message).filter((c) => String(c.args.text) === "Condition done")).toHaveLength(2);
    expect(await auditFor(t, "decision_made", adrId)).toHaveLength(1);
  });
});

describe("App Home", () => {
  it("lists my pending votes with links, my agents and my open items, within Slack's limits", async () => {
    const { adrId } = await adrInReview(t, { tier: 3 });
    await requestMessage(t, adrId);
    await outboxDrained(t);
    const home = await openHome(chair);
    const text = blocksText(home.args.view);
    expect(home.ok).toBe(true);
    expect(text).toContain(`ADR-${adrId}`);
    expect(text).toMatch(/https:\/\/fake-workspace\.slack\.com\/archives\/CCOMMITTEE\/p\d+/);
    await click(t, chair, "approve", adrId);
    await until(
      "chair voted",
      async () => !blocksText((await openHome(chair)).args.view).includes(`ADR-${adrId} `),
    );
    const owner = blocksText((await openHome(requester)).args.view);
    expect(owner).toContain("Your agents");
    expect((home.args.view as { blocks: unknown[] }).blocks.length).toBeLessThanOrEqual(100);
    expect(t.fake.violations).toEqual([]);
  });
});
