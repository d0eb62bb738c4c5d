import { describe, expect, it } from "vitest";
import type { KVStore } from "../../src/kv/kv-store.ts";
import { MemoryStore } from "../../src/kv/memory-store.ts";
import { TieredStore } from "../../src/kv/tiered-store.ts";
import { collect, kvStoreConformance } from "./conformance.ts";

kvStoreConformance("TieredStore (memory in front of memory, every key cacheable)", async () =>
  new TieredStore(new MemoryStore(), new MemoryStore(), { isImmutable: () => true }),
);
kvStoreConformance("TieredStore (memory in front of memory, obj/ and bulk/ cacheable)", async () =>
  new TieredStore(new MemoryStore(), new MemoryStore(), { isImmutable: (k) => k.startsWith("obj/") || k.startsWith("bulk/") }),
);

/** Counts the calls that reach a store. */
function counted(inner: KVStore): KVStore & { calls: string[] } {
  const calls: string[] = [];
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === "calls") return calls;
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as KVStore & { calls: string[] };
}

const isImmutable = (k: string): boolean => k.startsWith("obj/");
const b = (...x: number[]): Uint8Array => new Uint8Array(x);

describe("TieredStore", () => {
  it("serves a mutable key from the remote store every time, never stale", async () => {
    const remote = new MemoryStore();
    const a = new TieredStore(new MemoryStore(), remote, { isImmutable });
    const other = new TieredStore(new MemoryStore(), remote, { isImmutable }); // another process
    await a.set("head/main", b(1));
    expect(await a.get("head/main")).toEqual(b(1));
    expect(await other.cas("head/main", b(2), b(1))).toBe(true);
    expect(await a.get("head/main")).toEqual(b(2));
    expect((await a.getMany(["head/main"])).get("head/main")).toEqual(b(2));
    await remote.set("head/main", b(3));
    expect(await a.get("head/main")).toEqual(b(3));
    await remote.delete("head/main");
    expect(await a.get("head/main")).toBeUndefined();
    expect(await a.has("head/main")).toBe(false);
    // The CAS is decided by the remote store, not by anything cached.
    expect(await a.cas("head/main", b(9), b(2))).toBe(false);
    expect(await a.cas("head/main", b(9), undefined)).toBe(true);
  });

  it("never puts a mutable key in the local store", async () => {
    const local = new MemoryStore();
    const t = new TieredStore(local, new MemoryStore(), { isImmutable });
    await t.set("head/main", b(1));
    await t.setMany([["head/dev", b(2)]]);
    await t.cas("head/x", b(3), undefined);
    await t.get("head/main");
    await t.getMany(["head/dev", "head/x"]);
    expect(local.stats().entries).toBe(0);
  });

  it("reads an immutable key from the remote store once, then from the local one", async () => {
    const remote = counted(new MemoryStore());
    await remote.set("obj/1", b(7));
    remote.calls.length = 0;
    const t = new TieredStore(new MemoryStore(), remote, { isImmutable });
    expect(await t.get("obj/1")).toEqual(b(7));
    expect(await t.get("obj/1")).toEqual(b(7));
    expect(await t.has("obj/1")).toBe(true);
    expect((await t.getMany(["obj/1"])).get("obj/1")).toEqual(b(7));
    expect(remote.calls).toEqual(["get"]);
  });

  it("getMany makes one remote call for all cache misses and mutable keys, and fills the cache", async () => {
    const remote = counted(new MemoryStore());
    await remote.setMany([
      ["obj/1", b(1)],
      ["obj/2", b(2)],
      ["head/main", b(9)],
    ]);
    const local = new MemoryStore();
    await local.set("obj/1", b(1));
    remote.calls.length = 0;
    const t = new TieredStore(local, remote, { isImmutable });
    const got = await t.getMany(["obj/1", "obj/2", "obj/3", "head/main"]);
    expect([...got.keys()].sort()).toEqual(["head/main", "obj/1", "obj/2"]);
    expect(remote.calls).toEqual(["getMany"]);
    expect(await local.get("obj/2")).toEqual(b(2));
    expect(await local.has("head/main")).toBe(false);
  });

  it("writes go to the remote store first; a failed remote write caches nothing", async () => {
    const local = new MemoryStore();
    const broken = new MemoryStore();
    broken.setMany = async () => {
      throw new Error("remote down");
    };
    const t = new TieredStore(local, broken, { isImmutable });
    await expect(t.setMany([["obj/1", b(1)]])).rejects.toThrow("remote down");
    expect(await local.has("obj/1")).toBe(false);
  });

  it("takes capabilities from the remote store and checks its options", () => {
    const remote = new MemoryStore();
    const t = new TieredStore(new MemoryStore(), remote, { isImmutable });
    expect(t.atomicCas).toBe(remote.atomicCas);
    expect(t.shared).toBe(remote.shared);
    expect(t.description).toBe("tiered(memory -> memory)");
    expect(() => new TieredStore(new MemoryStore(), remote, { isImmutable: 5 } as never)).toThrow(TypeError);
    expect(() => new TieredStore(new MemoryStore(), remote, { isImmutable: 5 } as never)).toThrow(/isImmutable/);
    expect(() => new TieredStore(new MemoryStore(), remote, null as never)).toThrow(TypeError);
    expect(() => new TieredStore(new MemoryStore(), remote, {})).not.toThrow();
    expect(() => new TieredStore(new MemoryStore(), remote)).not.toThrow();
  });

  it("casDelete is offered exactly when the remote offers it, decided there, and uncaches the key", async () => {
    const remote = new MemoryStore();
    const local = new MemoryStore();
    const t = new TieredStore(local, remote, { isImmutable: () => true });
    await t.set("obj/1", b(1));
    expect(await local.has("obj/1")).toBe(true);
    expect(await t.casDelete!("obj/1", b(2))).toBe(false);
    expect(await local.has("obj/1")).toBe(true);
    expect(await t.casDelete!("obj/1", b(1))).toBe(true);
    expect(await local.has("obj/1")).toBe(false);
    expect(await remote.has("obj/1")).toBe(false);

    const bare = Object.assign(Object.create(remote) as KVStore, { casDelete: undefined }); // a backend without it
    expect(new TieredStore(new MemoryStore(), bare).casDelete).toBeUndefined();
  });
});

describe("TieredStore never caches kvgit's mutable keys", () => {
  const mutable = ["h/main", "h/feature/x", "h/" + "a".repeat(40), "l/counter", "w/00000000a-12345678", "kvgit"];
  const objects = ["v/" + "1".repeat(40), "n/" + "2".repeat(40), "c/" + "3".repeat(40)];

  it("by default caches exactly kvgit's objects (v/ n/ c/)", async () => {
    const local = new MemoryStore();
    const t = new TieredStore(local, new MemoryStore());
    for (const k of [...mutable, ...objects, "other"]) await t.set(k, b(1));
    expect(objects.every((k) => t.caches(k))).toBe(true);
    expect([...mutable, "other"].some((k) => t.caches(k))).toBe(false);
    expect((await collect(local.keys())).sort()).toEqual([...objects].sort());
  });

  it("a predicate that says every key is immutable still leaves heads, Live values, journal and format record uncached", async () => {
    const local = new MemoryStore();
    const remote = new MemoryStore();
    const t = new TieredStore(local, remote, { isImmutable: () => true });
    for (const k of mutable) {
      await t.set(k, b(1));
      await t.setMany([[k, b(2)]]);
      await t.cas(k, b(3), b(2));
      await t.get(k);
      await t.getMany([k]);
      expect(t.caches(k), k).toBe(false);
    }
    expect(await collect(local.keys())).toEqual([]);
    // So a change made behind the tier is seen at once.
    await remote.set("h/main", b(9));
    expect(await t.get("h/main")).toEqual(b(9));
    expect((await t.getMany(["h/main"])).get("h/main")).toEqual(b(9));
    // Other keys are the predicate's to decide.
    expect(t.caches("obj/1")).toBe(true);
    expect(t.caches(objects[0])).toBe(true);
  });

  it("a predicate can narrow the cached set", () => {
    const t = new TieredStore(new MemoryStore(), new MemoryStore(), { isImmutable: (k) => k.startsWith("c/") || k.startsWith("n/") });
    expect(t.caches(objects[2])).toBe(true);
    expect(t.caches(objects[0])).toBe(false);
    expect(t.caches("h/main")).toBe(false);
  });
});
