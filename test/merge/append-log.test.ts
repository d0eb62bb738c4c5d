import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DELETE, appendLog } from "../../src/merge/index.ts";

const ctx = { key: "log" };
const merge = appendLog().merge;
const entries = fc.array(fc.oneof(fc.integer(), fc.string(), fc.record({ at: fc.nat(), msg: fc.string() })), { maxLength: 6 });

describe("appendLog()", () => {
  it("is named append-log", () => {
    expect(appendLog().name).toBe("append-log");
  });

  it("keeps base, then theirs' appended entries, then ours'", () => {
    expect(merge(["a"], ["a", "ours1", "ours2"], ["a", "theirs1"], ctx)).toEqual(["a", "theirs1", "ours1", "ours2"]);
  });

  it("keeps base and both appendices, whatever they hold", () => {
    fc.assert(
      fc.property(entries, entries, entries, (b, oAdd, tAdd) => {
        const out = merge(b, [...b, ...oAdd], [...b, ...tAdd], ctx);
        expect(out).toStrictEqual([...b, ...tAdd, ...oAdd]);
      }),
    );
  });

  it("keeps an entry both sides appended twice (each writer logged it)", () => {
    expect(merge([1], [1, 2], [1, 2], ctx)).toEqual([1, 2, 2]);
  });

  it("treats an absent base as an empty log", () => {
    expect(merge(undefined, ["o"], ["t"], ctx)).toEqual(["t", "o"]);
  });

  it("follows the shared absent rules", () => {
    expect(merge([1], undefined, undefined, ctx)).toBe(DELETE);
    expect(merge([1], undefined, [1], ctx)).toBe(DELETE);
    expect(merge([1], [1, 2], undefined, ctx)).toEqual([1, 2]);
  });

  it("throws when a side rewrote or truncated the log (not an append)", () => {
    expect(() => merge([1, 2], [1, 3], [1, 2, 4], ctx)).toThrow(/append-log merge of key "log": ours changed or removed entries/);
    expect(() => merge([1, 2], [1, 2, 3], [1], ctx)).toThrow(/theirs changed or removed entries/);
    expect(() => merge([1], "x" as never, [1, 2], ctx)).toThrow(TypeError);
  });
});
