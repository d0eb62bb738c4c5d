import { describe, expect, it } from "vitest";
import { store, MemoryStore, counter, superjsonCodec, jsonCodec } from "kvgit";
import { hashHex } from "../../src/objects/hash.ts";
import { CountingStore } from "../support/counting-store.ts";

describe("merge results use the store's own codec (SPEC §5.1)", () => {
  for (const [name, codec] of [["superjson", superjsonCodec], ["json", jsonCodec]] as const) {
    it(`a ${name} store writes merged values as ${name} bytes`, async () => {
      const backend = new MemoryStore();
      const a = await store({ backend, codec: name });
      a.n = 1;
      a.setContentType("n", counter());
      await a.commit();
      const b = await store({ backend, codec: name });
      a.n = 2;
      b.n = 5;
      await a.commit();
      await b.commit();
      expect(b.n).toBe(6);
      const expected = codec.encode(6);
      expect(await backend.get(`v/${hashHex(expected)}`)).toEqual(expected);
    });
  }
});

describe("time travel reads cost the index depth, not the store size", () => {
  it("at(ref).get reads one node per level plus the value", async () => {
    const backend = new CountingStore(new MemoryStore());
    const s = await store({ backend });
    for (let i = 0; i < 20_000; i++) s.set(`k${i}`, i);
    const c = (await s.commit()).commit;
    s.set("k1", -1);
    await s.commit();
    const snap = await s.at(c);
    const before = backend.reads;
    expect(await snap.get("k1")).toBe(1);
    expect(backend.reads - before).toBeLessThanOrEqual(7);
    expect(await snap.getMany(["k1", "k2", "k3"])).toEqual({ k1: 1, k2: 2, k3: 3 });
  });
});
