import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditAnchors, outbox } from "../../src/db/schema/index.ts";
import { anchorAuditChains } from "../../src/services/audit/anchor.ts";
import { runNightlyVerification } from "../../src/services/audit/nightly.ts";
import { verifyAuditTrail } from "../../src/services/audit/verify.ts";
import { verifyAnchor } from "../../src/services/audit/verify-anchor.ts";
import { CHANNELS, PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import { agentEvents, appendEach, asSuperuserBypassingTriggers, entriesOf } from "../support/audit.ts";

let t: TestApp;
/** What start-up itself recorded on the governance chain (e.g. the initial config_changed). */
let startupEntries = 0;

beforeAll(async () => {
  t = await startTestApp();
  startupEntries = (await entriesOf(t.governor.deps.db, "governance")).length;
  await appendEach(t.governor.deps.db, t.governor.deps.audit, [...agentEvents(1, 4), ...agentEvents(2, 4)]);
});
afterAll(async () => {
  await t?.close();
});

const committeePosts = (text: string) => (c: { method: string; args: Record<string, unknown> }) =>
  c.method === "chat.postMessage" &&
  c.args.channel === CHANNELS.committee &&
  String(c.args.text).includes(text);

describe("the nightly audit verification", () => {
  it("posts nothing and records nothing when the trail is intact", async () => {
    const summary = await runNightlyVerification(t.governor.deps);
    expect(summary).toEqual({
      chains: 2 + (startupEntries ? 1 : 0),
      entries: 8 + startupEntries,
      findings: [],
    });
    expect(await t.governor.deps.db.select().from(outbox)).toEqual([]);
    expect(await entriesOf(t.governor.deps.db, "governance")).toHaveLength(startupEntries);
  });

  it("on PostgreSQL, with the fast pass in the database, finds the trail intact too", async () => {
    const summary = await runNightlyVerification(t.governor.deps, {
      parallel: { connections: 2, rangeWidth: 2 },
    });
    expect(summary).toEqual({
      chains: 2 + (startupEntries ? 1 : 0),
      entries: 8 + startupEntries,
      findings: [],
    });
  });

  it("raises a security alert in the committee channel and an audit entry when a chain is broken", async () => {
    await asSuperuserBypassingTriggers(t.databaseUrl, async (tx) => {
      await tx`delete from audit_entries where chain = 'agent-2' and seq = 2`;
    });
    const summary = await runNightlyVerification(t.governor.deps);
    expect(summary.findings).toEqual([expect.objectContaining({ chain: "agent-2", kind: "gap", seq: 2 })]);
    // The fast pass the job uses on PostgreSQL names the same first broken link.
    const fast = await verifyAuditTrail(t.governor.deps.db, { parallel: { connections: 2, rangeWidth: 2 } });
    expect(fast.findings).toEqual(summary.findings);

    const [post] = await t.fake.waitFor(committeePosts("Security alert: audit trail verification failed"));
    const blocksText = JSON.stringify(post!.args.blocks);
    expect(blocksText).toContain("chain agent-2: seq 2");
    expect(blocksText).toContain(`<@${PEOPLE.ciso}>`);
    expect(t.fake.violations).toEqual([]);

    const governance = (await entriesOf(t.governor.deps.db, "governance")).slice(startupEntries);
    expect(governance.map((e) => e.eventType)).toEqual(["audit_verification_failed"]);
    expect(governance[0]!.data).toMatchObject({
      broken_chains: 1,
      findings: [{ chain: "agent-2", seq: 2, kind: "gap" }],
    });
    // The alert's own entry keeps the governance chain intact.
    expect((await verifyAuditTrail(t.governor.deps.db, { chain: "governance" })).findings).toEqual([]);
  });
});

describe("the daily anchor", () => {
  it("publishes the heads' hash to the committee, stores it and records it after the anchored state", async () => {
    const before = await entriesOf(t.governor.deps.db, "governance");
    const anchor = await anchorAuditChains(t.governor.deps);
    const [post] = await t.fake.waitFor(committeePosts(anchor.anchorHash));
    expect(JSON.stringify(post!.args.blocks)).toContain(`agov audit verify --anchor ${anchor.anchorHash}`);
    expect(t.fake.violations).toEqual([]);

    const [row] = await t.governor.deps.db
      .select()
      .from(auditAnchors)
      .where(eq(auditAnchors.id, anchor.anchorId));
    expect(row!.anchorHash).toBe(anchor.anchorHash);
    expect(row!.heads).toMatchObject({ governance: { seq: before.length } });

    const governance = await entriesOf(t.governor.deps.db, "governance");
    expect(governance.at(-1)).toMatchObject({
      eventType: "audit_anchored",
      seq: before.length + 1,
      data: { anchor_hash: anchor.anchorHash, anchor_id: anchor.anchorId },
    });
    const proof = await verifyAnchor(t.governor.deps.db, anchor.anchorHash, { chain: "agent-1" });
    expect(proof).toMatchObject({ found: true, anchorProblem: null, findings: [], chains: 1, entries: 4 });
  });
});
