import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { IdIndex } from "../../src/kv/id-index.ts";

describe("IdIndex", () => {
  it("behaves like a Map under random sets and deletes, for ids and for any other key", () => {
    const key = fc.oneof(
      fc.stringMatching(/^[0-9a-f]{40}$/),
      // ids sharing their first 4 bytes (the hash): long probe runs and backward shifts
      fc.stringMatching(/^[0-9a-f]{4}$/).map((tail) => `00000000${"0".repeat(28)}${tail}`),
      fc.stringMatching(/^[0-9a-f]{2}$/).map((b) => `${b}000000${"1".repeat(32)}`),
      // almost ids: not packed, and never confused with the id they resemble
      fc.stringMatching(/^[0-9A-F]{40}$/),
      fc.stringMatching(/^[0-9a-f]{39}$/),
      fc.stringMatching(/^[0-9a-f]{41}$/),
      fc.string({ maxLength: 10 }),
    );
    const op = fc.tuple(fc.boolean(), key, fc.nat({ max: 0x7fffffff }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const index = new IdIndex();
        const model = new Map<string, number>();
        for (const [isSet, k, v] of ops) {
          if (isSet) {
            index.set(k, v);
            model.set(k, v);
          } else {
            expect(index.delete(k)).toBe(model.delete(k));
          }
          expect(index.size).toBe(model.size);
        }
        for (const [k, v] of model) expect(index.get(k)).toBe(v);
        // An id looked up by its bytes inside a larger buffer finds the same entry.
        for (const [, k] of ops) {
          if (!/^[0-9a-f]{40}$/.test(k)) continue;
          const framed = Buffer.concat([Buffer.from([7, 7, 7]), Buffer.from(k, "hex"), Buffer.from([9])]);
          expect(index.getRaw(framed, 3)).toBe(model.get(k));
        }
        for (const [, k] of ops) expect(index.has(k)).toBe(model.has(k));
        expect(new Map(index.entries())).toEqual(model);
        expect(new Set(index.keys())).toEqual(new Set(model.keys()));
      }),
    );
  });

  it("getRaw refuses an offset whose 20 bytes do not fit", () => {
    const index = new IdIndex();
    index.set("ab".repeat(20), 5);
    const bytes = Buffer.from("ab".repeat(20), "hex");
    expect(index.getRaw(bytes, 0)).toBe(5);
    expect(index.getRaw(bytes, 1)).toBeUndefined();
    expect(index.getRaw(bytes, -1)).toBeUndefined();
  });

  it("never reads a key with characters beyond Latin-1 as the id whose low bytes it shares", () => {
    const index = new IdIndex();
    const id = "0123456789abcdef".repeat(3).slice(0, 40);
    index.set(id, 1);
    for (let i = 0; i < 40; i++) {
      // Same low 8 bits as the hex digit it replaces, so a table indexed by them would match.
      const lookalike = id.slice(0, i) + String.fromCharCode(0x100 | id.charCodeAt(i)) + id.slice(i + 1);
      expect(index.get(lookalike)).toBeUndefined();
      index.set(lookalike, 100 + i);
      expect(index.get(lookalike)).toBe(100 + i);
    }
    expect(index.get(id)).toBe(1);
    expect(index.size).toBe(41);
  });

  it("keeps an upper-case id apart from the lower-case one", () => {
    const index = new IdIndex();
    const id = "ab".repeat(20);
    index.set(id, 1);
    index.set(id.toUpperCase(), 2);
    expect(index.get(id)).toBe(1);
    expect(index.get(id.toUpperCase())).toBe(2);
    expect(index.size).toBe(2);
  });

  it("grows past many entries and reuses freed ones", () => {
    const index = new IdIndex();
    const id = (i: number) => i.toString(16).padStart(40, "0");
    for (let i = 0; i < 5000; i++) index.set(id(i * 7919), i);
    for (let i = 0; i < 5000; i += 2) expect(index.delete(id(i * 7919))).toBe(true);
    for (let i = 5000; i < 7500; i++) index.set(id(i * 7919), i);
    expect(index.size).toBe(5000);
    for (let i = 1; i < 7500; i++) expect(index.get(id(i * 7919))).toBe(i < 5000 && i % 2 === 0 ? undefined : i);
  });

  it("refuses a slot that is not an int32 >= 0", () => {
    const index = new IdIndex();
    expect(() => index.set("0".repeat(40), -1)).toThrow(RangeError);
    expect(() => index.set("0".repeat(40), 2 ** 31)).toThrow(RangeError);
    expect(index.size).toBe(0);
  });
});
