import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  anchorHash,
  canonicalEntry,
  entryHash,
  entryHashWithData,
  GENESIS_HASH,
  type HashedEntry,
  pseudonymise,
  sanitiseEventData,
  splitCanonicalEntry,
} from "../../src/domain/audit.ts";
import { canonicalValue } from "../../src/domain/audit-canonical.ts";
import { isCredentialKey } from "../../src/domain/audit-sanitise.ts";
import { canonicalJson } from "../../src/domain/canonical-json.ts";
import { type AuditRecord, describeFinding, verifyChain } from "../../src/domain/audit-verify.ts";

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

const first: HashedEntry = {
  chain: "agent-7",
  seq: 1,
  event_type: "tool_called",
  occurred_at: "2025-01-31T09:00:00.000Z",
  agent_id: 7,
  session_id: "s-1",
  actor: "u-3f1c",
  data: { tool: "crm.lookup", note: "café ✓", amount: 0.5 },
  prev_hash: GENESIS_HASH,
};
// Written by hand, as an auditor in another language would build it.
const firstCanonical =
  '{"actor":"u-3f1c","agent_id":7,"chain":"agent-7","data":{"amount":0.5,"note":"café ✓","tool":"crm.lookup"},' +
  `"event_type":"tool_called","occurred_at":"2025-01-31T09:00:00.000Z","prev_hash":"${"0".repeat(64)}","seq":1,"session_id":"s-1"}`;

describe("the entry hash", () => {
  it("is sha256 over prev_hash followed by the canonical JSON of the entry (published test vector)", () => {
    expect(canonicalEntry(first)).toBe(firstCanonical);
    const independent = sha256("0".repeat(64) + firstCanonical);
    expect(entryHash(first)).toBe(independent);
    expect(independent).toBe("0171fc895d7135a22c9cf5a4bfe3344e851ba98612ef4d4c6a709b2f8c30d2f2");
    // The batch writer and the verifier hash with the data's canonical JSON at hand.
    const { data: _data, ...rest } = first;
    expect(entryHashWithData(rest, canonicalValue(first.data))).toBe(independent);
  });

  it("chains: the second entry's hash covers the first entry's hash", () => {
    const h1 = entryHash(first);
    const second: HashedEntry = {
      ...first,
      seq: 2,
      event_type: "agent_session_ended",
      occurred_at: "2025-01-31T09:00:01.250Z",
      actor: null,
      data: {},
      prev_hash: h1,
    };
    const canonical = `{"actor":null,"agent_id":7,"chain":"agent-7","data":{},"event_type":"agent_session_ended","occurred_at":"2025-01-31T09:00:01.250Z","prev_hash":"${h1}","seq":2,"session_id":"s-1"}`;
    expect(entryHash(second)).toBe(sha256(h1 + canonical));
    expect(entryHash(second)).toBe("48f277f621e5678fdf717ef86f47f800ced6ad41d8879e84bd259d3e598762dc");
  });

  it("ignores fields that are not hashed (id, hash) and changes when any hashed field changes", () => {
    const row = { ...first, id: 99, hash: "ff" } as HashedEntry;
    expect(entryHash(row)).toBe(entryHash(first));
    for (const change of [
      { seq: 2 },
      { actor: "u-other" },
      { data: { tool: "crm.lookup" } },
      { agent_id: null },
    ]) {
      expect(entryHash({ ...first, ...change })).not.toBe(entryHash(first));
    }
  });

  it("writes an entry exactly as the generic canonical JSON of its nine fields", () => {
    const variants: HashedEntry[] = [
      first,
      {
        ...first,
        agent_id: null,
        session_id: null,
        actor: null,
        data: { z: [1, { b: null, a: "\u0001" }], é: -0 },
      },
      { ...first, session_id: undefined as unknown as null },
    ];
    for (const v of variants) {
      const { chain, seq, event_type, occurred_at, agent_id, session_id, actor, data, prev_hash } = v;
      expect(canonicalEntry(v)).toBe(
        canonicalJson({ chain, seq, event_type, occurred_at, agent_id, session_id, actor, data, prev_hash }),
      );
    }
  });

  it.each([
    [
      "nested data",
      { z: [1, { b: null, a: "\u0001\n\u2028é😀" }], é: -0, A: 1e21, a: 1.5e-7, "10": 1, "9": true },
    ],
    ["an empty object and array", { o: {}, a: [] }],
    ["a null-prototype object", Object.assign(Object.create(null) as object, { b: 1, a: 2 })],
    ["an undefined property", { a: undefined, b: 1 }],
    ["a string", "plain"],
  ])("writes %s exactly as the reference canonical JSON", (_label, value) => {
    expect(canonicalValue(value)).toBe(canonicalJson(value));
  });

  it.each([
    ["NaN", { n: Number.NaN }],
    ["a Date", { d: new Date(0) }],
    ["an undefined array element", [1, undefined]],
    [
      "a cycle",
      (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      })(),
    ],
  ])("refuses %s with the reference writer's error", (_label, value) => {
    let reference = "";
    try {
      canonicalJson(value);
    } catch (err) {
      reference = (err as Error).message;
    }
    expect(reference).not.toBe("");
    expect(() => canonicalValue(value)).toThrow(reference);
  });

  it("splits the canonical JSON around prev_hash and seq for hashing in the database", () => {
    const { seq: _s, prev_hash: _p, ...draft } = first;
    const tricky = { ...draft, data: { prev_hash: "", seq: 0, session_id: '"prev_hash":"","seq":0,' } };
    for (const d of [draft, tricky, { ...draft, session_id: null }]) {
      const { before, after, data } = splitCanonicalEntry(d);
      expect(data).toBe(canonicalJson(d.data));
      const prev = "ab".repeat(32);
      expect(before + prev + '","seq":' + 12345 + after).toBe(
        canonicalEntry({ ...d, seq: 12345, prev_hash: prev }),
      );
    }
  });

  it("anchors the heads with sha256 of their canonical JSON", () => {
    const heads = {
      "agent-7": { seq: 2, hash: "ab".repeat(32) },
      governance: { seq: 5, hash: "cd".repeat(32) },
    };
    expect(anchorHash(heads)).toBe(
      sha256(
        `{"agent-7":{"hash":"${"ab".repeat(32)}","seq":2},"governance":{"hash":"${"cd".repeat(32)}","seq":5}}`,
      ),
    );
  });
});

describe("pseudonymisation", () => {
  const keyA = "a".repeat(32);
  const keyB = "b".repeat(32);
  it("is a keyed HMAC: stable for the same key, different for another key or user", () => {
    expect(pseudonymise(keyA, "U123")).toBe(pseudonymise(keyA, "U123"));
    expect(pseudonymise(keyA, "U123")).not.toBe(pseudonymise(keyB, "U123"));
    expect(pseudonymise(keyA, "U123")).not.toBe(pseudonymise(keyA, "U124"));
    expect(pseudonymise(keyA, "U123")).toBe(
      createHmac("sha256", keyA).update("U123").digest("hex").slice(0, 32),
    );
  });
  it("never contains the user id", () => {
    expect(pseudonymise(keyA, "UCHAIR0001")).not.toContain("UCHAIR");
  });
});

describe("the event data sanitiser", () => {
  it("redacts credentials at any depth, for every event", () => {
    const out = sanitiseEventData(
      {
        api_key: "k1",
        nested: { password: "p", list: [{ accessToken: "t" }, { "x-api-key": "z" }] },
        aws_secret_access_key: "s",
        Authorization: "Bearer abc",
        ok: "visible",
      },
      false,
    );
    expect(out).toEqual({
      api_key: "[REDACTED]",
      nested: {
        password: "[REDACTED]",
        list: [{ accessToken: "[REDACTED]" }, { "x-api-key": "[REDACTED]" }],
      },
      aws_secret_access_key: "[REDACTED]",
      Authorization: "[REDACTED]",
      ok: "visible",
    });
  });

  it.each([
    ["max_tokens", false],
    ["token_count", false],
    ["secret_name", false],
    ["refresh_token", true],
    ["clientSecret", true],
    ["privateKey", true],
    ["DB_PASSWORD", true],
    ["set-cookie", true],
    ["key", false],
  ])("treats key %s as a credential: %s", (key, expected) => {
    expect(isCredentialKey(key)).toBe(expected);
  });

  it("redacts secrets embedded in free text", () => {
    // Assembled at run time so no token-shaped literal sits in the repository.
    const slackToken = ["xoxb", "1234567890", "abcdefghij"].join("-");
    const out = sanitiseEventData(
      {
        error: `call failed with ${slackToken} and header Bearer eyJhbGciOi.abc`,
        url: "postgres://app:hunter2@db.internal/agov",
        aws: "key AKIAABCDEFGHIJKLMNOP leaked",
      },
      false,
    ) as Record<string, string>;
    expect(JSON.stringify(out)).not.toMatch(/xoxb-1234|hunter2|AKIAABCD|eyJhbGciOi/);
    expect(out.url).toBe("postgres://app:[REDACTED]@db.internal/agov");
  });

  it("replaces content by its sha256 for sensitive events only", () => {
    const data = { content: "the customer's medical history", tool: "crm", input: { q: "x" } };
    const sensitive = sanitiseEventData(data, true) as Record<string, unknown>;
    expect(sensitive).toEqual({
      content_hash: sha256("the customer's medical history"),
      tool: "crm",
      input_hash: sha256('{"q":"x"}'),
    });
    expect(JSON.stringify(sensitive)).not.toContain("medical");
    expect(sanitiseEventData(data, false)).toEqual(data);
  });

  it("hashes content nested in sensitive events", () => {
    const out = sanitiseEventData({ messages: [{ role: "user", content: "secret plan" }] }, true);
    expect(JSON.stringify(out)).not.toContain("secret plan");
    const nested = sanitiseEventData({ call: { prompt: "hello" } }, true);
    expect(nested).toEqual({ call: { prompt_hash: sha256("hello") } });
  });

  it("produces what jsonb stores: dates as ISO strings, no NUL or lone surrogates", () => {
    const out = sanitiseEventData({ at: new Date(0), s: "a\u0000b\ud800" }, false);
    expect(out).toEqual({ at: "1970-01-01T00:00:00.000Z", s: "a\uFFFDb\uFFFD" });
  });
});

describe("the chain walker", () => {
  function chainOf(n: number): AuditRecord[] {
    const rows: AuditRecord[] = [];
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= n; seq++) {
      const e: HashedEntry = { ...first, seq, prev_hash: prev, data: { n: seq } };
      prev = entryHash(e);
      rows.push({ ...e, id: 100 + seq, hash: prev });
    }
    return rows;
  }
  async function* stream(rows: AuditRecord[]) {
    yield* rows;
  }
  const headOf = (rows: AuditRecord[]) => ({
    seq: rows.at(-1)!.seq,
    hash: rows.at(-1)!.hash,
    source: "head" as const,
  });

  it("accepts an intact chain and counts its entries", async () => {
    const rows = chainOf(5);
    const r = await verifyChain("agent-7", stream(rows), headOf(rows));
    expect(r).toMatchObject({ entries: 5, finding: null, last: { seq: 5, hash: rows[4]!.hash } });
  });

  it.each([
    [
      "altered content",
      (r: AuditRecord[]) => r.map((x) => (x.seq === 3 ? { ...x, data: { n: 99 } } : x)),
      "hash_mismatch",
      3,
    ],
    ["a deleted entry", (r: AuditRecord[]) => r.filter((x) => x.seq !== 3), "gap", 3],
    [
      "swapped entries",
      (r: AuditRecord[]) => [r[0]!, r[1]!, { ...r[3]!, seq: 3 }, { ...r[2]!, seq: 4 }, r[4]!],
      "reordered",
      3,
    ],
    ["a truncated tail", (r: AuditRecord[]) => r.slice(0, 3), "truncated", 4],
    ["a duplicated seq", (r: AuditRecord[]) => [...r.slice(0, 3), r[2]!, ...r.slice(3)], "duplicate", 3],
  ])("reports %s at the right seq", async (_label, tamper, kind, seq) => {
    const rows = chainOf(5);
    const r = await verifyChain("agent-7", stream(tamper(rows)), headOf(rows));
    expect(r.finding).toMatchObject({ kind, seq });
    expect(describeFinding(r.finding!)).toContain(`seq ${seq}`);
  });

  it("takes data read as its stored text: as stored when it matches, else in canonical form", async () => {
    const asText = (rows: AuditRecord[], text: (x: AuditRecord) => string) =>
      rows.map(({ data, ...x }) => ({ ...x, data_text: text({ ...x, data }) }) as AuditRecord);
    // A chain whose data has two keys (so that their order can differ).
    const relinked = chainOf(4).reduce<AuditRecord[]>((out, x) => {
      const e = { ...x, data: { n: x.seq, tool: "crm" }, prev_hash: out.at(-1)?.hash ?? GENESIS_HASH };
      out.push({ ...e, hash: entryHash(e) });
      return out;
    }, []);
    const canonical = asText(relinked, (x) => canonicalValue(x.data));
    expect(await verifyChain("agent-7", stream(canonical), headOf(relinked))).toMatchObject({
      finding: null,
    });
    // The same content stored with other key order and spacing: still intact.
    const reordered = asText(relinked, (x) => `{ "tool": "crm", "n": ${x.seq} }`);
    expect(await verifyChain("agent-7", stream(reordered), headOf(relinked))).toMatchObject({
      finding: null,
    });
    // Other content: altered.
    const altered = asText(relinked, (x) => `{"n":${x.seq === 2 ? 20 : x.seq},"tool":"crm"}`);
    expect((await verifyChain("agent-7", stream(altered), headOf(relinked))).finding).toMatchObject({
      kind: "hash_mismatch",
      seq: 2,
    });
  });

  it("reports a rewritten entry whose hash was fixed up as a broken link at the next entry", async () => {
    const rows = chainOf(4);
    const forged = { ...rows[1]!, data: { n: 42 } };
    forged.hash = entryHash(forged);
    const r = await verifyChain("agent-7", stream([rows[0]!, forged, rows[2]!, rows[3]!]), headOf(rows));
    expect(r.finding).toMatchObject({
      kind: "broken_link",
      seq: 3,
      entryId: rows[2]!.id,
      expected: forged.hash,
    });
  });
});
