import { describe, expect, it } from "vitest";
import { MemoryStore, store, TieredStore } from "../../src/index.ts";
import { collect } from "../kv/conformance.ts";

/** SPEC §5.9: a cache tier never serves a branch head, whatever the user's isImmutable says. */
describe("a kvgit store over a TieredStore", () => {
  it("with isImmutable: () => true, refresh() sees another writer's commit and the next commit succeeds", async () => {
    const remote = new MemoryStore();
    const writer = await store({ backend: remote });
    writer.v = 1;
    await writer.commit();
    const reader = await store({ backend: new TieredStore(new MemoryStore(), remote, { isImmutable: () => true }) });
    expect(reader.v).toBe(1);
    writer.v = 2;
    await writer.commit();
    await reader.refresh();
    expect(reader.v).toBe(2);
    reader.v = 3;
    const r = await reader.commit();
    expect(r.commit).toBe(reader.currentCommit);
    await writer.refresh();
    expect(writer.v).toBe(3);
  });

  it("only v/ n/ c/ objects ever reach the local store, through commits, branches, Live writes and gc", async () => {
    const remote = new MemoryStore();
    const local = new MemoryStore();
    const tiered = new TieredStore(local, remote, { isImmutable: () => true });
    const s = await store({ backend: tiered });
    s.a = 1;
    s.b = { x: [1, 2] };
    await s.commit();
    const dev = await s.createBranch("dev");
    dev.c = 3;
    await dev.commit();
    await s.merge("dev");
    await s.log();
    await s.deleteBranch("dev", { minAgeMs: 0 });
    await s.cleanOrphans({ minAgeMs: 0 });
    const live = await store({ backend: tiered, type: "live" });
    live.n = 1;
    delete live.n;
    live.m = 2;
    await live.flush();
    const cached = await collect(local.keys());
    expect(cached.length).toBeGreaterThan(0);
    expect(cached.filter((k) => !/^[vnc]\/[0-9a-f]{40}$/.test(k))).toEqual([]);
    // Everything the remote holds outside the objects is a key the tier refuses to cache.
    for (const k of await collect(remote.keys())) if (!/^[vnc]\//.test(k)) expect(tiered.caches(k), k).toBe(false);
  });

  it("without isImmutable, caches kvgit's objects", async () => {
    const local = new MemoryStore();
    const s = await store({ backend: new TieredStore(local, new MemoryStore()) });
    s.a = 1;
    await s.commit();
    const cached = await collect(local.keys());
    expect(cached.some((k) => k.startsWith("c/"))).toBe(true);
    expect(cached.every((k) => /^[vnc]\//.test(k))).toBe(true);
  });
});
