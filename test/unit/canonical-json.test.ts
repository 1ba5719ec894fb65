import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/domain/canonical-json.ts";

describe("canonicalJson", () => {
  it.each([
    ["null", null, "null"],
    ["booleans", [true, false], "[true,false]"],
    ["numbers as JSON numbers", [1, 0.05, -2.5, 1e21, -0], "[1,0.05,-2.5,1e+21,0]"],
    ["strings with escapes", 'a"b\\c\nd\u0001é😀', '"a\\"b\\\\c\\nd\\u0001é😀"'],
    ["a lone surrogate", "\uD800", '"\\ud800"'],
    [
      "keys sorted recursively",
      { b: 1, a: { d: [3, { z: 0, y: 1 }], c: 2 } },
      '{"a":{"c":2,"d":[3,{"y":1,"z":0}]},"b":1}',
    ],
    [
      "keys sorted by UTF-16 code units",
      { é: 1, z: 2, Z: 3, "10": 4, "9": 5 },
      '{"10":4,"9":5,"Z":3,"z":2,"é":1}',
    ],
    ["undefined keys dropped", { a: undefined, b: null }, '{"b":null}'],
    ["arrays kept in order", [3, 1, 2], "[3,1,2]"],
    ["an object without a prototype", Object.assign(Object.create(null) as object, { k: "v" }), '{"k":"v"}'],
  ])("writes %s", (_what, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it("gives the same text whatever order the keys were inserted in", () => {
    expect(canonicalJson({ x: 1, y: [{ b: 2, a: 1 }] })).toBe(canonicalJson({ y: [{ a: 1, b: 2 }], x: 1 }));
  });

  it.each([
    ["NaN", { n: Number.NaN }, /\$\.n is NaN/],
    ["Infinity", [Number.POSITIVE_INFINITY], /\$\[0\] is Infinity/],
    ["undefined in an array", [1, undefined], /\$\[1\] is undefined/],
    ["a bigint", { n: 1n }, /bigint/],
    ["a function", { f: () => 1 }, /function/],
    ["a Date", { at: new Date(0) }, /Date, not a plain object/],
    ["a Map", new Map(), /Map, not a plain object/],
  ])("refuses %s", (_what, value, message) => {
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it("refuses a cycle", () => {
    const loop: Record<string, unknown> = {};
    loop["self"] = loop;
    expect(() => canonicalJson(loop)).toThrow(/refers back to itself/);
  });

  it("accepts the same object twice when it is not a cycle", () => {
    const shared = { a: 1 };
    expect(canonicalJson([shared, shared])).toBe('[{"a":1},{"a":1}]');
  });
});
