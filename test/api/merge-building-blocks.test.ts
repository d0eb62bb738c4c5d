import { describe, expect, expectTypeOf, it } from "vitest";
import {
  assertContentType,
  builtinContentType,
  builtinContentTypeNames,
  canonicalKey,
  createMsgpackCodec,
  decideTrivially,
  deepEqual,
  jsonThreeWayMerge,
  msgpackCodec,
  DELETE,
  type ContentType,
  type MergeFn,
  type MsgpackCodecOptions,
} from "kvgit";

describe("merge building blocks exported for custom merges (docs/api.md, docs/merge.md)", () => {
  it("decideTrivially applies the unchanged/absent rules and leaves real conflicts to the caller", () => {
    expect(decideTrivially(1, 1, 5)).toEqual({ result: 5 });
    expect(decideTrivially(1, 7, 1)).toEqual({ result: 7 });
    expect(decideTrivially(1, 2, 5)).toBeUndefined();
    expect(decideTrivially(1, undefined, undefined)).toEqual({ result: DELETE });
  });

  it("deepEqual and canonicalKey give structural identity across Maps, Sets, Dates and key order", () => {
    expect(deepEqual(new Map([["a", [1]]]), new Map([["a", [1]]]))).toBe(true);
    expect(deepEqual(new Set([1, 2]), new Set([1, 3]))).toBe(false);
    expect(deepEqual(new Date(5), new Date(5))).toBe(true);
    expect(canonicalKey({ b: 1, a: 2 })).toBe(canonicalKey({ a: 2, b: 1 }));
    expect(canonicalKey({ a: 1 })).not.toBe(canonicalKey({ a: "1" }));
  });

  it("jsonThreeWayMerge merges plain objects key by key", () => {
    expect(jsonThreeWayMerge({ a: 1, b: 1 }, { a: 2, b: 1 }, { a: 1, b: 3 }, { key: "k" })).toEqual({ a: 2, b: 3 });
    expectTypeOf(jsonThreeWayMerge).toMatchTypeOf<MergeFn>();
  });

  it("builtinContentType gives a built-in by name; assertContentType names the bad argument", () => {
    expect(builtinContentTypeNames).toContain("counter");
    const counter = builtinContentType("counter");
    expect(counter?.name).toBe("counter");
    expect(builtinContentType("no-such-type")).toBeUndefined();
    expect(() => assertContentType({ name: "x" }, "ct")).toThrow(TypeError);
    expect(() => assertContentType({ name: "x" }, "ct")).toThrow(/ct/);
    const ok: unknown = { name: "x", merge: () => 1 };
    assertContentType(ok);
    expectTypeOf(ok).toEqualTypeOf<ContentType>();
  });

  it("createMsgpackCodec makes a codec whose bytes equal the default's", () => {
    const opts: MsgpackCodecOptions = { unknownClasses: "plain" };
    const codec = createMsgpackCodec(opts);
    const value = { when: new Date(0), tags: new Set(["a"]) };
    expect(Buffer.from(codec.encode(value)).equals(Buffer.from(msgpackCodec.encode(value)))).toBe(true);
    expect(codec.decode(msgpackCodec.encode(value))).toEqual(value);
  });
});
