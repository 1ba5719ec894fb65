import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agents } from "../../src/db/schema/index.ts";
import { CHANNELS, PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import { adrInReview } from "../support/adr-fixtures.ts";
import {
  adrRow,
  auditFor,
  click,
  ephemeralsTo,
  isoDate,
  pseudonym,
  requestMessage,
  submitModal,
  until,
  votesOn,
} from "../support/approval.ts";
import { date, plain, stateValues, user } from "../support/slack-values.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const { chair, engineering, business, techOwner, outsider, steward, requester } = PEOPLE;

/** Clicks, waits for the ephemeral answer to `who`, and returns its text. */
async function refused(who: string, act: () => Promise<unknown>): Promise<string> {
  const before = ephemeralsTo(t, who).length;
  await act();
  const [answer] = (
    await t.fake.waitFor((c) => c.method === "chat.postEphemeral" && c.args.user === who, {
      count: before + 1,
    })
  ).slice(before);
  return String(answer!.args.text);
}

describe("only the people who hold a required role may vote", () => {
  it("refuses an outsider's Approve with an ephemeral reason, audits access_denied, changes nothing", async () => {
    const { adrId } = await adrInReview(t, { tier: 3 });
    const message = await requestMessage(t, adrId);
    const updatesOf = () => t.fake.callsTo("chat.update").filter((c) => c.args.ts === message.ts).length;
    const updatesBefore = updatesOf();
    const text = await refused(outsider, () => click(t, outsider, "approve", adrId));
    expect(text).toContain("You cannot vote on ADR-");
    const answer = ephemeralsTo(t, outsider).at(-1)!;
    expect(answer.args.channel).toBe(message.channel);
    const denied = await until("access_denied entry", async () => {
      const rows = await auditFor(t, "access_denied", adrId);
      return rows.length ? rows : undefined;
    });
    expect(denied).toHaveLength(1);
    expect(denied[0]!.actor).toBe(pseudonym(t, outsider));
    expect(JSON.stringify(denied[0]!.data)).not.toContain(outsider);
    expect(await votesOn(t, adrId)).toEqual([]);
    expect(await auditFor(t, "vote_cast", adrId)).toEqual([]);
    expect((await adrRow(t, adrId)).status).toBe("in_review");
    expect(updatesOf()).toBe(updatesBefore);
  });

  it("opens no Conditional form for an outsider", async () => {
    const { adrId } = await adrInReview(t, { tier: 2 });
    const opened = t.fake.callsTo("views.open").length;
    const text = await refused(outsider, () => click(t, outsider, "conditional", adrId));
    expect(text).toContain("may sign off");
    expect(t.fake.callsTo("views.open").length).toBe(opened);
    expect(await auditFor(t, "access_denied", adrId)).toHaveLength(1);
  });

  it("refuses the submitter's own Approve even when they sit on the committee", async () => {
    const { adrId } = await adrInReview(t, { tier: 3, requester: engineering, businessOwner: engineering });
    const text = await refused(engineering, () => click(t, engineering, "approve", adrId));
    expect(text).toContain("submitted this request");
    expect(await votesOn(t, adrId)).toEqual([]);
    const denied = await until("audit", async () => (await auditFor(t, "access_denied", adrId))[0]);
    expect(denied.actor).toBe(pseudonym(t, engineering));
  });

  it("refuses the business owner signing off as technical owner (record changed after intake)", async () => {
    const { adrId, agentId } = await adrInReview(t, { tier: 1, requester: steward, businessOwner: business });
    await t.governor.deps.db.update(agents).set({ technicalOwner: business }).where(eq(agents.id, agentId));
    const text = await refused(business, () => click(t, business, "approve", adrId));
    expect(text).toContain("both business owner and technical owner");
    expect(await votesOn(t, adrId)).toEqual([]);
    expect((await adrRow(t, adrId)).status).toBe("in_review");
    expect(await auditFor(t, "access_denied", adrId)).toHaveLength(1);
  });

  it("refuses a tier 1 vote from a committee member who is not the technical owner", async () => {
    const { adrId } = await adrInReview(t, { tier: 1 });
    const text = await refused(chair, () => click(t, chair, "approve", adrId));
    expect(text).toContain(`<@${techOwner}>`);
    expect(await votesOn(t, adrId)).toEqual([]);
  });

  it("closes voting at the decision: a late vote is refused without an access_denied entry", async () => {
    const { adrId } = await adrInReview(t, { tier: 1 });
    await click(t, techOwner, "approve", adrId);
    await until("approved", async () => (await adrRow(t, adrId)).status === "approved");
    const opened = t.fake.callsTo("views.open").length;
    const text = await refused(techOwner, () => click(t, techOwner, "reject", adrId));
    expect(text).toContain("closed");
    expect(t.fake.callsTo("views.open").length).toBe(opened);
    expect((await votesOn(t, adrId)).map((v) => v.choice)).toEqual(["approve"]);
    expect((await adrRow(t, adrId)).status).toBe("approved");
    expect(await auditFor(t, "access_denied", adrId)).toEqual([]);
    expect(await auditFor(t, "decision_made", adrId)).toHaveLength(1);
  });
});

describe("the vote forms check their fields before anything is stored", () => {
  it("asks for at least one condition, and for each row's owner and a future deadline", async () => {
    const { adrId } = await adrInReview(t, { tier: 3 });
    const empty = await submitModal(t, chair, "conditional", adrId, stateValues({}));
    expect(empty.body).toMatchObject({
      response_action: "errors",
      errors: { "conditions.0.text": expect.any(String) },
    });
    const partial = await submitModal(
      t,
      chair,
      "conditional",
      adrId,
      stateValues({
        "conditions.0.text": { value: plain("Encrypt backups") },
        "conditions.1.text": { value: plain("Rotate keys") },
        "conditions.1.owner": { value: user(techOwner) },
        "conditions.1.deadline": { value: date(isoDate(-2)) },
      }),
    );
    expect(partial.body).toMatchObject({
      response_action: "errors",
      errors: {
        "conditions.0.owner": expect.any(String),
        "conditions.0.deadline": expect.any(String),
        "conditions.1.deadline": "choose today or a later date",
      },
    });
    const noReason = await submitModal(
      t,
      chair,
      "reject",
      adrId,
      stateValues({ reason: { value: plain("   ") } }),
    );
    expect(noReason.body).toMatchObject({
      response_action: "errors",
      errors: { reason: expect.any(String) },
    });
    expect(await votesOn(t, adrId)).toEqual([]);
    expect(await auditFor(t, "vote_cast", adrId)).toEqual([]);
  });

  it("neutralises mentions and formatting typed into a reason", async () => {
    const { adrId } = await adrInReview(t, { tier: 3 });
    const message = await requestMessage(t, adrId);
    await submitModal(
      t,
      business,
      "reject",
      adrId,
      stateValues({ reason: { value: plain("<!channel> *now* <@U999>") } }),
    );
    const reply = await until("reply", async () =>
      t.fake
        .callsTo("chat.postMessage")
        .find((c) => c.args.thread_ts === message.ts && String(c.args.text).includes("Reject")),
    );
    const shown = JSON.stringify(reply.args.blocks);
    expect(shown).not.toContain("<!channel>");
    expect(shown).toContain("&lt;!channel&gt;");
    expect(shown).not.toContain("<@U999>");
    expect(reply.args.channel).toBe(CHANNELS.committee);
    expect(requester).toBeTruthy();
  });
});
