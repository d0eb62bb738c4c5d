import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DELETE, lastWriterWins } from "../../src/merge/index.ts";

const ctx = { key: "k" };

describe("lastWriterWins()", () => {
  it("is named lww and takes theirs (argument order: base, ours, theirs)", () => {
    expect(lastWriterWins().name).toBe("lww");
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything().filter((t) => t !== undefined), (b, o, t) => {
        expect(lastWriterWins().merge(b, o, t, ctx)).toBe(t);
      }),
    );
  });

  it("removes the key when theirs removed it", () => {
    expect(lastWriterWins().merge(1, 2, undefined, ctx)).toBe(DELETE);
  });
});
