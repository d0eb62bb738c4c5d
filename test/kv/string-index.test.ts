import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { StringIndex } from "../../src/kv/string-index.ts";

describe("StringIndex", () => {
  it("behaves like a Map under random sets and deletes (keys sharing their first characters)", () => {
    const key = fc.oneof(
      fc.stringMatching(/^[0-9a-f]{40}$/),
      fc.integer({ min: 0, max: 40 }).map((i) => `aaaaaaaa${i}`), // same first 8 characters: collisions
      fc.string({ maxLength: 10 }),
    );
    const op = fc.tuple(fc.boolean(), key, fc.integer());
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const index = new StringIndex();
        const model = new Map<string, number>();
        for (const [isSet, k, v] of ops) {
          if (isSet) {
            index.set(k, v);
            model.set(k, v);
          } else {
            expect(index.delete(k)).toBe(model.get(k));
            model.delete(k);
          }
          expect(index.size).toBe(model.size);
        }
        for (const [k, v] of model) expect(index.get(k)).toBe(v);
        for (const [, k] of ops) expect(index.has(k)).toBe(model.has(k));
        expect([...index.values()].sort()).toEqual([...model.values()].sort());
        expect(new Map(index.entries())).toEqual(model);
        expect(new Set(index.keys())).toEqual(new Set(model.keys()));
      }),
    );
  });
});
