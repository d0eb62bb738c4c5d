import { describe, expect, it } from "vitest";
import type { KVStore } from "../../src/kv/kv-store.ts";
import { MemoryStore } from "../../src/kv/memory-store.ts";
import { TieredStore } from "../../src/kv/tiered-store.ts";
import { kvStoreConformance } from "./conformance.ts";

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
    expect(() => new TieredStore(new MemoryStore(), remote, {} as never)).toThrow(/isImmutable/);
  });
});
