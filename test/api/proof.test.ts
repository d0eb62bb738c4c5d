import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { jsonRendering, store, verifyProof, type Proof } from "kvgit";

/** What a proof looks like after going over the wire. */
const wire = (p: Proof): Record<string, unknown> => JSON.parse(JSON.stringify(p));

describe("proofs go through JSON", () => {
  it("values JSON cannot hold (Map, Set, BigInt, Date, bytes, cycles, undefined) verify before and after JSON", async () => {
    const s = await store();
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    const values: Record<string, unknown> = {
      map: new Map<unknown, unknown>([["a", 1], [2, new Set([3n])]]),
      set: new Set([1, "x"]),
      big: 10n,
      date: new Date(0),
      bytes: new Uint8Array([0, 255, 7]),
      cyclic,
      undef: undefined,
      nested: { when: new Date(86_400_000), n: -0, list: [undefined, 1n] },
    };
    for (const [k, v] of Object.entries(values)) s.set(k, v);
    await s.commit();
    for (const k of Object.keys(values)) {
      const proof = await s.prove(k);
      expect(proof.present).toBe(true);
      expect(verifyProof(proof)).toBe(true);
      const text = JSON.stringify(proof); // never throws, even for a BigInt
      expect(verifyProof(JSON.parse(text))).toBe(true);
    }
    expect(wire(await s.prove("big")).value).toBe("10n");
    expect(wire(await s.prove("map")).value).toEqual({ map: [["a", 1], [2, { set: ["3n"] }]] });
    expect(wire(await s.prove("cyclic")).value).toEqual({ name: "loop", self: "[Circular]" });
  });

  it("the value's rendering is checked after JSON too", async () => {
    const s = await store();
    s.m = new Map([["a", 1]]);
    await s.commit();
    const json = wire(await s.prove("m"));
    expect(verifyProof(json)).toBe(true);
    expect(verifyProof({ ...json, value: { map: [["a", 2]] } })).toBe(false);
    expect(verifyProof({ ...json, value: {} })).toBe(false);
  });

  it("the commit is bound to the root: altering commit, commitBytes or version fails", async () => {
    const s = await store();
    s.a = 1;
    const first = (await s.commit()).commit;
    s.a = 2;
    await s.commit();
    const json = wire(await s.prove("a"));
    const older = wire(await s.prove("a", { at: first }));
    expect(verifyProof(json)).toBe(true);
    expect(verifyProof(older)).toBe(true);
    expect(older.value).toBe(1);
    expect(verifyProof({ ...json, commit: "0".repeat(40) })).toBe(false);
    expect(verifyProof({ ...json, commit: older.commit })).toBe(false);
    expect(verifyProof({ ...json, commitBytes: older.commitBytes })).toBe(false);
    expect(verifyProof({ ...json, commit: older.commit, commitBytes: older.commitBytes })).toBe(false); // names another root
    expect(verifyProof({ ...json, commitBytes: "!!" })).toBe(false);
    expect(verifyProof({ ...json, version: 1 })).toBe(false);
    const { commitBytes: _dropped, ...withoutCommit } = json;
    expect(verifyProof(withoutCommit)).toBe(false);
  });

  it("property: any stored value proves, through JSON, and a changed value does not", async () => {
    const s = await store();
    const value = fc.oneof(
      fc.jsonValue(),
      fc.bigInt(),
      fc.date({ noInvalidDate: true }),
      fc.uint8Array({ maxLength: 16 }),
      fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 5 }).map((a) => new Set(a)),
      fc.array(fc.tuple(fc.string(), fc.oneof(fc.integer(), fc.bigInt())), { maxLength: 5 }).map((a) => new Map(a)),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        const key = `k${n++}`;
        s.set(key, v);
        await s.commit();
        const proof = await s.prove(key);
        const json = wire(proof);
        expect(verifyProof(proof)).toBe(true);
        expect(verifyProof(json)).toBe(true);
        expect(verifyProof({ ...json, value: ["not", "it", n] })).toBe(false);
      }),
      { numRuns: 80 },
    );
  });
});

describe("jsonRendering", () => {
  it("renders JSON data as itself, so a rendering renders to itself", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const once = jsonRendering(v);
        expect(JSON.stringify(jsonRendering(once))).toBe(JSON.stringify(once));
        expect(JSON.stringify(once)).toBe(JSON.stringify(JSON.parse(JSON.stringify(v))));
      }),
    );
  });

  it("a shared (not cyclic) object is rendered at each place it appears", () => {
    const shared = { x: 1 };
    expect(jsonRendering({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });
});
