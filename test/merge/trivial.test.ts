import { describe, expect, it } from "vitest";
import { DELETE, appendLog, counter, decideTrivially, max, min, setUnion, type ContentType } from "../../src/merge/index.ts";

// The same rules for unchanged and absent sides for every built-in but lww (theirs) and json (strict); see docs/merge.md.
const cases: Array<[string, ContentType, unknown, unknown, unknown]> = [
  ["counter", counter(), 5, 6, 7],
  ["max", max(), 5, 6, 7],
  ["min", min(), 5, 6, 7],
  ["set-union", setUnion(), ["a"], ["a", "b"], ["a", "c"]],
  ["append-log", appendLog(), [1], [1, 2], [1, 3]],
];

describe.each(cases)("%s: unchanged and absent sides", (_name, ct, base, changedA, changedB) => {
  const ctx = { key: "k" };
  it("removed on both sides -> removed", () => expect(ct.merge(base, undefined, undefined, ctx)).toBe(DELETE));
  it("removed on one side, unchanged on the other -> removed", () => {
    expect(ct.merge(base, undefined, base, ctx)).toBe(DELETE);
    expect(ct.merge(base, base, undefined, ctx)).toBe(DELETE);
  });
  it("removed on one side, changed on the other -> the change", () => {
    expect(ct.merge(base, undefined, changedB, ctx)).toStrictEqual(changedB);
    expect(ct.merge(base, changedA, undefined, ctx)).toStrictEqual(changedA);
  });
  it("one side left as in base -> the other side's value", () => {
    expect(ct.merge(base, base, changedB, ctx)).toStrictEqual(changedB);
    expect(ct.merge(base, changedA, base, ctx)).toStrictEqual(changedA);
  });
  it("created on one side only -> that value", () => {
    expect(ct.merge(undefined, changedA, undefined, ctx)).toStrictEqual(changedA);
    expect(ct.merge(undefined, undefined, changedB, ctx)).toStrictEqual(changedB);
  });
});

describe("decideTrivially", () => {
  it("leaves the decision to the content type when both sides hold a value", () => {
    expect(decideTrivially(undefined, 1, 2)).toBeUndefined();
    expect(decideTrivially(0, 1, 2)).toBeUndefined();
  });
});
