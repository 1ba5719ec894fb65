import { eq } from "drizzle-orm";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditAnchors } from "../../src/db/schema/index.ts";
import { entryHash } from "../../src/domain/audit.ts";
import { describeFinding, type Finding } from "../../src/domain/audit-verify.ts";
import { type AnchorResult, anchorAuditChains } from "../../src/services/audit/anchor.ts";
import { chainNames, type VerifyOptions, verifyAuditTrail } from "../../src/services/audit/verify.ts";
import { verifyInParallel } from "../../src/services/audit/verify-parallel.ts";
import { verifyAnchor } from "../../src/services/audit/verify-anchor.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import {
  agentEvents,
  appendEach,
  asSuperuserBypassingTriggers,
  entriesOf,
  hashedOf,
  type RawEntry,
  rewriteChain,
} from "../support/audit.ts";

let t: TestApp;
let anchor: AnchorResult;
let duplicateId = 0;
/** Governance entries before the anchor (start-up may record some too). */
let governanceBeforeAnchor = 0;
/** Entry ids by chain and ORIGINAL seq, captured before tampering. */
const ids = new Map<string, number>();
const idOf = (chain: string, seq: number) => ids.get(`${chain}#${seq}`)!;

async function rowAt(tx: postgres.TransactionSql, chain: string, seq: number): Promise<RawEntry> {
  const [row] = await tx<RawEntry[]>`select * from audit_entries where chain = ${chain} and seq = ${seq}`;
  return row!;
}

async function forge(
  tx: postgres.TransactionSql,
  chain: string,
  seq: number,
  prevHash: string,
): Promise<void> {
  const template = await rowAt(tx, chain, 1);
  const entry = hashedOf(template, {
    seq,
    prev_hash: prevHash,
    data: { tool: "payments.transfer", forged: true },
  });
  await tx`insert into audit_entries (chain, seq, event_type, occurred_at, agent_id, session_id, actor, data, prev_hash, hash)
           values (${chain}, ${seq}, ${entry.event_type}, ${template.occurred_at}, ${entry.agent_id}, ${entry.session_id},
                   ${entry.actor}, ${tx.json(entry.data as never)}, ${prevHash}, ${entryHash(entry)})`;
}

beforeAll(async () => {
  t = await startTestApp({ worker: false });
  const { db, audit } = t.governor.deps;
  for (let agent = 1; agent <= 11; agent++) await appendEach(db, audit, agentEvents(agent, 5));
  await appendEach(db, audit, [
    { type: "config_changed", actor: { slackUser: "UCHAIR0001" }, data: { k: "v" } },
  ]);
  governanceBeforeAnchor = (await entriesOf(db, "governance")).length;
  anchor = await anchorAuditChains(t.governor.deps);
  for (let agent = 1; agent <= 11; agent++)
    for (const e of await entriesOf(db, `agent-${agent}`)) ids.set(`agent-${agent}#${e.seq}`, e.id);

  await asSuperuserBypassingTriggers(t.databaseUrl, async (tx) => {
    // 1: a field changed in place.
    await tx`update audit_entries set data = ${tx.json({ tool: "crm.lookup", call: 99 })} where chain = 'agent-1' and seq = 3`;
    // 2: an entry deleted from the middle.
    await tx`delete from audit_entries where chain = 'agent-2' and seq = 3`;
    // 3: two entries swapped.
    await tx`update audit_entries set seq = -3 where chain = 'agent-3' and seq = 3`;
    await tx`update audit_entries set seq = 3 where chain = 'agent-3' and seq = 4`;
    await tx`update audit_entries set seq = 4 where chain = 'agent-3' and seq = -3`;
    // 4: a forged entry with a valid hash appended after the head.
    await forge(tx, "agent-4", 6, (await rowAt(tx, "agent-4", 5)).hash);
    // 5: a forged entry slipped into the middle (later entries shifted, head moved).
    await tx`update audit_entries set seq = seq + 100 where chain = 'agent-5' and seq >= 4`;
    await tx`update audit_entries set seq = seq - 99 where chain = 'agent-5' and seq >= 104`;
    await forge(tx, "agent-5", 4, (await rowAt(tx, "agent-5", 3)).hash);
    await tx`update audit_chain_heads set seq = 6 where chain = 'agent-5'`;
    // 6: the tail truncated.
    await tx`delete from audit_entries where chain = 'agent-6' and seq >= 4`;
    // 7: the last entry rewritten with its own hash fixed up.
    const last = await rowAt(tx, "agent-7", 5);
    const rewritten = hashedOf(last, { data: { tool: "nothing.to.see" } });
    await tx`update audit_entries set data = ${tx.json(rewritten.data as never)}, hash = ${entryHash(rewritten)} where id = ${last.id}`;
    // 8: a careful rewrite: every later hash and the head fixed up.
    await rewriteChain(tx, "agent-8", 2, { tool: "crm.lookup", call: 2, approved_by: "nobody" });
    // 10: an entry rewritten with its own hash fixed up, the next link left alone.
    const second = await rowAt(tx, "agent-10", 2);
    const changed = hashedOf(second, { data: { tool: "other" } });
    await tx`update audit_entries set data = ${tx.json(changed.data as never)}, hash = ${entryHash(changed)} where id = ${second.id}`;
    // 11: the unique index dropped and a seq duplicated.
    await tx`drop index audit_chain_seq_uq`;
    const third = await rowAt(tx, "agent-11", 3);
    const [dup] =
      await tx`insert into audit_entries (chain, seq, event_type, occurred_at, agent_id, session_id, actor, data, prev_hash, hash)
      select chain, seq, event_type, occurred_at, agent_id, session_id, actor, data, prev_hash, hash from audit_entries
      where id = ${third.id} returning id`;
    duplicateId = Number(dup!.id);
  });
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe.each([
  ["one entry at a time", (): VerifyOptions => ({ pageSize: 2 })],
  [
    // Ranges of two seqs: tampering inside ranges, at their ends, and ends that no longer join.
    "ranges re-hashed in the database, then the suspect chains one entry at a time",
    (): VerifyOptions => ({ pageSize: 2, parallel: { connections: 2, rangeWidth: 2 } }),
  ],
])("verification after tampering (by a superuser bypassing the trigger), %s", (_mode, options) => {
  let byChain: Map<string, Finding>;
  beforeAll(async () => {
    const summary = await verifyAuditTrail(t.governor.deps.db, options());
    expect(summary.chains).toBe(12);
    byChain = new Map(summary.findings.map((f) => [f.chain, f]));
  });

  it.each([
    ["a changed field", "agent-1", "hash_mismatch", 3, () => idOf("agent-1", 3)],
    ["a deleted entry", "agent-2", "gap", 3, () => idOf("agent-2", 4)],
    ["swapped entries", "agent-3", "reordered", 3, () => idOf("agent-3", 4)],
    ["a forged entry after the head", "agent-4", "beyond_head", 6, null],
    ["a forged entry in the middle", "agent-5", "reordered", 5, () => idOf("agent-5", 4)],
    ["a truncated tail", "agent-6", "truncated", 4, null],
    ["a rewritten last entry", "agent-7", "head_mismatch", 5, () => idOf("agent-7", 5)],
    ["a rewritten entry with its hash fixed", "agent-10", "broken_link", 3, () => idOf("agent-10", 3)],
    ["a duplicated seq", "agent-11", "duplicate", 3, () => duplicateId],
  ])("detects %s in %s: %s at seq %i", (_label, chain, kind, seq, entryId) => {
    const finding = byChain.get(chain);
    expect(finding, `no finding for ${chain}`).toMatchObject({ kind, seq });
    if (entryId) expect(finding!.entryId).toBe(entryId());
    expect(describeFinding(finding!)).toContain(`chain ${chain}: seq ${seq}`);
  });

  it("reports a hash mismatch with the expected and found hashes", () => {
    const f = byChain.get("agent-1")!;
    expect(f.expected).toMatch(/^[0-9a-f]{64}$/);
    expect(f.found).toMatch(/^[0-9a-f]{64}$/);
    expect(f.expected).not.toBe(f.found);
  });

  it("finds nothing wrong with untouched chains, nor (alone) with a fully fixed-up rewrite", () => {
    expect(byChain.has("agent-9")).toBe(false);
    expect(byChain.has("governance")).toBe(false);
    expect(byChain.has("agent-8")).toBe(false);
    expect(byChain.size).toBe(9);
  });
});

describe("verification against a published anchor", () => {
  it("anchored the heads from before its own audit_anchored entry", async () => {
    const [row] = await t.governor.deps.db
      .select()
      .from(auditAnchors)
      .where(eq(auditAnchors.id, anchor.anchorId));
    expect((row!.heads as Record<string, { seq: number }>).governance!.seq).toBe(governanceBeforeAnchor);
    const gov = await entriesOf(t.governor.deps.db, "governance");
    expect(gov).toHaveLength(governanceBeforeAnchor + 1);
    expect(gov.at(-1)).toMatchObject({
      eventType: "audit_anchored",
      seq: governanceBeforeAnchor + 1,
      data: { anchor_hash: anchor.anchorHash, chains: 12, entries: 55 + governanceBeforeAnchor },
    });
  });

  it("exposes a rewrite that fixed up every hash and the head, at the anchored seq", async () => {
    const result = await verifyAnchor(t.governor.deps.db, anchor.anchorHash, { chain: "agent-8" });
    expect(result.found).toBe(true);
    if (!result.found) return;
    expect(result.anchorProblem).toBeNull();
    expect(result.findings).toEqual([
      expect.objectContaining({
        chain: "agent-8",
        kind: "head_mismatch",
        seq: 5,
        entryId: idOf("agent-8", 5),
      }),
    ]);
  });

  it("confirms untouched chains match the anchor and flags every tampered one", async () => {
    const result = await verifyAnchor(t.governor.deps.db, anchor.anchorHash);
    if (!result.found) throw new Error("anchor not found");
    expect(result.chains).toBe(12);
    const broken = result.findings.map((f) => f.chain).sort();
    // agent-4's forgery lies after the anchored seq: the anchor vouches only for what it covered.
    expect(broken).toEqual([
      "agent-1",
      "agent-10",
      "agent-11",
      "agent-2",
      "agent-3",
      "agent-5",
      "agent-6",
      "agent-7",
      "agent-8",
    ]);
  });

  it("says so when the anchor is unknown", async () => {
    expect(await verifyAnchor(t.governor.deps.db, "ab".repeat(32))).toEqual({ found: false });
  });

  it("detects an anchor row whose heads were altered to match a rewrite", async () => {
    const second = await anchorAuditChains(t.governor.deps);
    await asSuperuserBypassingTriggers(t.databaseUrl, async (tx) => {
      await tx`update audit_anchors set heads = jsonb_set(heads, '{agent-9,seq}', '4') where id = ${second.anchorId}`;
    });
    const result = await verifyAnchor(t.governor.deps.db, second.anchorHash, { chain: "agent-9" });
    if (!result.found) throw new Error("anchor not found");
    expect(result.anchorProblem).toContain("not to the published anchor");
  });
});

describe("the parallel fast pass on its own", () => {
  it("clears intact chains in the database and hands exactly the tampered ones back to be walked", async () => {
    const intact: string[] = [];
    const suspects = await verifyInParallel(
      t.governor.deps.db,
      { connections: 2, rangeWidth: 2 },
      chainNames,
      (r) => intact.push(r.chain),
    );
    const tampered = [
      "agent-1",
      "agent-2",
      "agent-3",
      "agent-4",
      "agent-5",
      "agent-6",
      "agent-7",
      "agent-10",
      "agent-11",
    ];
    // agent-8's rewrite stored its data as JSON.stringify wrote it, not in canonical key order:
    // the database cannot match that text, so the chain is walked in JS, which clears it
    // (the suites above find nothing wrong with agent-8 in either mode).
    expect(suspects).toEqual([...tampered, "agent-8"].sort());
    expect(intact.sort()).toEqual(["agent-9", "governance"]);
  });
});
