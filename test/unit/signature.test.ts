import { describe, expect, it } from "vitest";
import { computeSlackSignature, verifySlackRequest } from "../../src/slack/signature.ts";

// Slack's published test vector (SLACK.md, "Request signing").
const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const TS = "1531420618";
const BODY =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const SIG = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
const NOW = Number(TS);

const verify = (over: Partial<Parameters<typeof verifySlackRequest>[0]> = {}) =>
  verifySlackRequest({
    secret: SECRET,
    timestamp: TS,
    signature: SIG,
    rawBody: BODY,
    nowSeconds: NOW,
    ...over,
  });

describe("computeSlackSignature", () => {
  it("reproduces Slack's published test vector", () => {
    expect(computeSlackSignature(SECRET, TS, BODY)).toBe(SIG);
  });

  it("signs raw bytes identically from a Buffer", () => {
    expect(computeSlackSignature(SECRET, TS, Buffer.from(BODY, "utf8"))).toBe(SIG);
  });
});

describe("verifySlackRequest", () => {
  it("accepts the published vector at now = timestamp", () => {
    expect(verify()).toEqual({ ok: true });
  });

  it("accepts skew of exactly 300 s either way", () => {
    expect(verify({ nowSeconds: NOW + 300 })).toEqual({ ok: true });
    expect(verify({ nowSeconds: NOW - 300 })).toEqual({ ok: true });
  });

  it("rejects a body changed by one byte", () => {
    const changed = BODY.replace("roadrunner", "roadrunnes");
    expect(changed).toHaveLength(BODY.length);
    expect(verify({ rawBody: changed })).toEqual({ ok: false, reason: "bad_signature" });
    expect(verify({ rawBody: `${BODY} ` })).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("rejects a wrong secret and an empty secret", () => {
    expect(verify({ secret: "8f742231b10e8888abcd99yyyzzz85a6" })).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    expect(verify({ secret: "" })).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("rejects a timestamp 301 s in the past and 301 s in the future", () => {
    // now is 301 s after the timestamp: the request is old
    expect(verify({ nowSeconds: NOW + 301 })).toEqual({ ok: false, reason: "stale" });
    // now is 301 s before the timestamp: the request claims to come from the future
    expect(verify({ nowSeconds: NOW - 301 })).toEqual({ ok: false, reason: "stale" });
  });

  it("honours a custom maxSkewSeconds", () => {
    expect(verify({ nowSeconds: NOW + 61, maxSkewSeconds: 60 })).toEqual({ ok: false, reason: "stale" });
  });

  it("reports missing or malformed headers without throwing", () => {
    for (const timestamp of [undefined, null, "", "   ", "abc", "1531420618.5", "-1531420618", ["1", "2"]]) {
      expect(verify({ timestamp })).toEqual({ ok: false, reason: "missing_headers" });
    }
    for (const signature of [undefined, null, "", ["a", "b"]]) {
      expect(verify({ signature })).toEqual({ ok: false, reason: "missing_headers" });
    }
  });

  it("accepts single-element header arrays (as some frameworks pass them)", () => {
    expect(verify({ timestamp: [TS], signature: [SIG] })).toEqual({ ok: true });
  });

  it("rejects non-hex, short, long or wrongly versioned signatures without throwing", () => {
    const bad = [
      "v0=zz14d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
      "v0=a2114d57",
      `${SIG}00`,
      SIG.replace("v0=", "v1="),
      SIG.slice(3),
      "v0=",
      "garbage",
      "v0=ä2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b50",
    ];
    for (const signature of bad) {
      expect(() => verify({ signature })).not.toThrow();
      expect(verify({ signature })).toEqual({ ok: false, reason: "bad_signature" });
    }
  });

  it("checks staleness before the signature (no HMAC work for replayed requests)", () => {
    expect(verify({ nowSeconds: NOW + 10_000, signature: "v0=bad" })).toEqual({ ok: false, reason: "stale" });
  });
});
