import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DELETE, canonicalKey, setUnion } from "../../src/merge/index.ts";

const ctx = { key: "tags" };
const merge = setUnion().merge;
const sorted = (v: unknown) => [...(v as Iterable<unknown>)].map(canonicalKey).sort();
const element = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constantFrom("a", "b", "c", "d"), fc.record({ id: fc.integer({ min: 0, max: 3 }) }));
const uniqueArray = fc.uniqueArray(element, { selector: canonicalKey, maxLength: 8 });

describe("setUnion()", () => {
  it("is named set-union", () => {
    expect(setUnion().name).toBe("set-union");
  });

  it("keeps additions from both sides and applies removals from either side", () => {
    expect(merge(["a", "b", "c"], ["a", "b", "x"], ["b", "c", "y"], ctx)).toEqual(["b", "y", "x"]);
  });

  it("orders theirs' elements first, then the ones only ours added", () => {
    expect(merge([], [3, 1], [2, 1], ctx)).toEqual([2, 1, 3]);
  });

  it("returns a Set when theirs is a Set", () => {
    const out = merge(new Set([1]), new Set([1, 2]), new Set([1, 3]), ctx);
    expect(out).toBeInstanceOf(Set);
    expect([...(out as Set<number>)]).toEqual([1, 3, 2]);
  });

  it("compares elements structurally (decoded objects are new objects each time)", () => {
    expect(merge([{ id: 1 }], [{ id: 1 }, { id: 2 }], [{ id: 1 }], ctx)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(merge([{ id: 1 }], [], [{ id: 1 }, { id: 3 }], ctx)).toEqual([{ id: 3 }]);
  });

  it("merge(b, b, t) = t and merge(b, o, b) = o", () => {
    fc.assert(
      fc.property(uniqueArray, uniqueArray, (b, x) => {
        expect(merge(b, b, x, ctx)).toEqual(x);
        expect(merge(b, x, b, ctx)).toEqual(x);
        expect(merge(new Set(b), new Set(b), new Set(x), ctx)).toEqual(new Set(x));
      }),
    );
  });

  it("is commutative up to order, and matches the set formula", () => {
    fc.assert(
      fc.property(uniqueArray, uniqueArray, uniqueArray, (b, o, t) => {
        const ab = merge(b, o, t, ctx);
        const ba = merge(b, t, o, ctx);
        expect(sorted(ab)).toEqual(sorted(ba));
        const inB = new Set(b.map(canonicalKey));
        const inO = new Set(o.map(canonicalKey));
        const inT = new Set(t.map(canonicalKey));
        const expected = [...new Set([...inO, ...inT])].filter((k) => (inO.has(k) && inT.has(k)) || (!inB.has(k) && (inO.has(k) || inT.has(k)))).sort();
        expect(sorted(ab)).toEqual(expected);
        expect(new Set(sorted(ab)).size).toBe(sorted(ab).length); // no duplicates
      }),
    );
  });

  it("is deterministic", () => {
    fc.assert(
      fc.property(uniqueArray, uniqueArray, uniqueArray, (b, o, t) => {
        expect(merge(b, o, t, ctx)).toEqual(merge(structuredClone(b), structuredClone(o), structuredClone(t), ctx));
      }),
    );
  });

  it("follows the shared absent rules", () => {
    expect(merge(["a"], undefined, undefined, ctx)).toBe(DELETE);
    expect(merge(["a"], undefined, ["a"], ctx)).toBe(DELETE);
    expect(merge(["a"], undefined, ["a", "b"], ctx)).toEqual(["a", "b"]);
    expect(merge(undefined, ["a"], ["b"], ctx)).toEqual(["b", "a"]);
    expect(merge(undefined, undefined, ["b"], ctx)).toEqual(["b"]);
  });

  it("throws a TypeError for something that is not an array or a Set", () => {
    expect(() => merge(["a"], "ab" as never, ["a", "z"], ctx)).toThrow(/set-union merge of key "tags": ours is a string/);
  });
});
