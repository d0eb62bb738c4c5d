import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DELETE, deepEqual, max, min } from "../../src/merge/index.ts";

const ctx = { key: "best" };

describe("max() and min()", () => {
  it("are named max and min", () => {
    expect([max().name, min().name]).toEqual(["max", "min"]);
  });

  it("pick the larger / smaller of ours and theirs when both changed, for numbers, bigints and strings", () => {
    for (const arb of [fc.double({ noNaN: true }), fc.bigInt(), fc.string()] as fc.Arbitrary<number | bigint | string>[]) {
      fc.assert(
        fc.property(arb, arb, arb, (b, o, t) => {
          fc.pre(!deepEqual(o, b) && !deepEqual(t, b));
          const hi = max().merge(b, o, t, ctx) as typeof o;
          const lo = min().merge(b, o, t, ctx) as typeof o;
          expect([o, t]).toContain(hi);
          expect([o, t]).toContain(lo);
          expect(hi >= o && hi >= t).toBe(true);
          expect(lo <= o && lo <= t).toBe(true);
        }),
      );
    }
  });

  it("take the other side when one side is left as in base (like any three-way merge)", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (b, t) => {
        expect(max().merge(b, b, t, ctx)).toBe(t);
        expect(min().merge(b, t, b, ctx)).toBe(t);
      }),
    );
  });

  it("ignore base (the result is a value one side holds)", () => {
    expect(max().merge(100, 5, 8, ctx)).toBe(8);
    expect(min().merge(-100, 5, 8, ctx)).toBe(5);
  });

  it("compare Dates by time and return the Date object", () => {
    const early = new Date(1000);
    const late = new Date(2000);
    expect(max().merge(undefined, early, late, ctx)).toBe(late);
    expect(min().merge(undefined, early, late, ctx)).toBe(early);
  });

  it("follow the shared absent rules", () => {
    expect(max().merge(3, undefined, undefined, ctx)).toBe(DELETE);
    expect(max().merge(3, undefined, 3, ctx)).toBe(DELETE);
    expect(max().merge(3, undefined, 1, ctx)).toBe(1);
    expect(min().merge(undefined, 7, undefined, ctx)).toBe(7);
  });

  it.each([
    ["a number and a string", 1, "2"],
    ["a number and a bigint", 1, 2n],
    ["NaN", NaN, 1],
    ["an invalid Date", new Date(NaN), new Date(0)],
    ["objects", {}, {}],
  ])("throw a TypeError naming the key for %s", (_label, o, t) => {
    expect(() => max().merge(undefined, o as never, t as never, ctx)).toThrow(/max merge of key "best": cannot compare/);
    expect(() => min().merge(undefined, o as never, t as never, ctx)).toThrow(TypeError);
  });
});
