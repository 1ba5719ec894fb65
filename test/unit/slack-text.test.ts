import { describe, expect, it } from "vitest";
import { escapeMrkdwn, plainText, stripControl, truncate } from "../../src/domain/slack-text.ts";

const ZW = "\u200B";

describe("escapeMrkdwn", () => {
  it.each([
    ["a channel ping", "<!channel> deploy now", "&lt;!channel&gt; deploy now"],
    ["a here ping", "<!here>", "&lt;!here&gt;"],
    ["a user mention", "ask <@U123ABC>", "ask &lt;@U123ABC&gt;"],
    ["a disguised link", "<https://evil.example|Approve>", "&lt;https://evil.example|Approve&gt;"],
    ["a subteam ping", "<!subteam^S01|@oncall>", "&lt;!subteam^S01|@oncall&gt;"],
    ["an ampersand", "R&D", "R&amp;D"],
    ["an already escaped entity", "&lt;", "&amp;lt;"],
  ])("neutralises %s", (_what, input, output) => {
    expect(escapeMrkdwn(input)).toBe(output);
  });

  it.each([
    ["bold", "*bold*"],
    ["italic", "_italic_"],
    ["strike", "~strike~"],
    ["code", "`code`"],
    ["a code block", "```block```"],
  ])("keeps %s markers literal by fencing them with zero-width spaces", (_what, input) => {
    const escaped = escapeMrkdwn(input);
    expect(escaped.replaceAll(ZW, "")).toBe(input);
    expect(escaped).not.toMatch(/(^|[^\u200B])[*_~`]/);
    expect(escaped).not.toMatch(/[*_~`]([^\u200B]|$)/);
  });

  it("leaves ordinary text alone", () => {
    expect(escapeMrkdwn("Customer Onboarding Agent v1.0 (ok)")).toBe("Customer Onboarding Agent v1.0 (ok)");
  });

  it("removes control characters and bidi overrides but keeps line breaks and tabs", () => {
    expect(escapeMrkdwn("a\u0000b\u0007c\u202Ed\r\ne\tf\u0085")).toBe("abcd\ne\tf");
  });

  it("never lets a mention survive, whatever the mix", () => {
    const hostile = "<<!channel>>*<@U1>*\u0000<!everyone|x>";
    expect(escapeMrkdwn(hostile)).not.toMatch(/[<>]/);
  });
});

describe("stripControl", () => {
  it("turns CR LF and lone CR into LF", () => {
    expect(stripControl("a\r\nb\rc")).toBe("a\nb\nc");
  });
});

describe("truncate", () => {
  it.each([
    ["short text unchanged", "hello", 10, "hello"],
    ["text exactly at the limit unchanged", "hello", 5, "hello"],
    ["long text with an ellipsis within the limit", "hello world", 8, "hello w…"],
    ["a limit of one to just the ellipsis", "hello", 1, "…"],
    ["a limit of zero to nothing", "hello", 0, ""],
    ["a negative limit to nothing", "hello", -3, ""],
  ])("cuts %s", (_what, input, max, output) => {
    const result = truncate(input, max);
    expect(result).toBe(output);
    expect(result.length).toBeLessThanOrEqual(Math.max(0, max));
  });

  it("never splits a surrogate pair", () => {
    const result = truncate("ab😀cd", 4);
    expect(result).toBe("ab…");
    expect(result).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it.each([
    [5, "a…"],
    [6, "a…"],
    [7, "a&amp;…"],
    [8, "a&amp;b…"],
  ])("never splits an escape entity (max %i)", (max, output) => {
    expect(truncate(escapeMrkdwn("a&b&c"), max)).toBe(output);
  });

  it.each(["x<y<z<w", "x>y>z>w", "&&&&&&"])("keeps every entity of %j whole at any limit", (input) => {
    const escaped = escapeMrkdwn(input);
    for (let max = 1; max <= escaped.length + 1; max++) {
      const result = truncate(escaped, max);
      expect(result.length).toBeLessThanOrEqual(max);
      expect(result.replace(/&(amp|lt|gt);/g, "")).not.toContain("&");
    }
  });
});

describe("plainText", () => {
  it("makes one clean line within the limit", () => {
    expect(plainText("  Agent\nName\t\u0007here  ", 100)).toBe("Agent Name here");
  });

  it("truncates with an ellipsis", () => {
    expect(plainText("Customer Onboarding Agent", 10)).toBe("Customer …");
  });

  it("leaves mrkdwn characters alone (plain_text does not render them)", () => {
    expect(plainText("*<!channel>*", 50)).toBe("*<!channel>*");
  });
});
