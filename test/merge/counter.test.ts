import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DELETE, counter } from "../../src/merge/index.ts";

const ctx = { key: "hits" };
const merge = counter().merge;

describe("counter()", () => {
  it("is named counter and has no codec of its own", () => {
    expect(counter().name).toBe("counter");
    expect(counter().encode).toBeUndefined();
    expect(counter()).toBe(counter());
  });

  it("two writers each taking 10 to 11 merge to 12 (same value on both sides still adds)", () => {
    expect(merge(10, 11, 11, ctx)).toBe(12);
  });

  it("equals base + (ours - base) + (theirs - base) for any integers", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: -1e9, max: 1e9 }), (b, o, t) => {
        expect(merge(b, o, t, ctx)).toBe(b + (o - b) + (t - b));
      }),
    );
  });

  it("equals base + (ours - base) + (theirs - base) for any bigints", () => {
    fc.assert(
      fc.property(fc.bigInt(), fc.bigInt(), fc.bigInt(), (b, o, t) => {
        expect(merge(b, o, t, ctx)).toBe(b + (o - b) + (t - b));
      }),
    );
  });

  it("is commutative in ours and theirs", () => {
    fc.assert(
      fc.property(fc.option(fc.integer(), { nil: undefined }), fc.option(fc.integer(), { nil: undefined }), fc.option(fc.integer(), { nil: undefined }), (b, o, t) => {
        expect(merge(b, o, t, ctx)).toStrictEqual(merge(b, t, o, ctx));
      }),
    );
  });

  it("counts an absent base as 0: a counter created on both sides adds up", () => {
    expect(merge(undefined, 3, 5, ctx)).toBe(8);
    expect(merge(undefined, 3n, 5n, ctx)).toBe(8n);
  });

  it.each([
    ["removed on both sides", 10, undefined, undefined, DELETE],
    ["created on one side only", undefined, 4, undefined, 4],
    ["removed by ours, unchanged by theirs", 10, undefined, 10, DELETE],
    ["removed by theirs, unchanged by ours", 10, 10, undefined, DELETE],
    ["removed by ours, changed by theirs: the change wins", 10, undefined, 12, 12],
    ["removed by theirs, changed by ours: the change wins", 10, 7, undefined, 7],
  ])("%s", (_label, b, o, t, expected) => {
    expect(merge(b as number | undefined, o as number | undefined, t as number | undefined, ctx)).toBe(expected);
  });

  it.each([
    ["a string", 1, "2", 3],
    ["mixed number and bigint", 1, 2n, 3],
    ["NaN", 1, NaN, 3],
    ["Infinity", 1, 2, Infinity],
    ["a non-number base", "0", 2, 3],
  ])("throws a TypeError naming the key for %s", (_label, b, o, t) => {
    expect(() => merge(b as never, o as never, t as never, ctx)).toThrow(TypeError);
    expect(() => merge(b as never, o as never, t as never, ctx)).toThrow(/counter merge of key "hits"/);
  });

  it("works with floats", () => {
    expect(merge(1.5, 2, 3.5, ctx)).toBe(4);
  });
});
