import { describe, expect, it } from "vitest";
import { store, counter, MemoryStore, ConcurrencyError, FormatError, type GcProgress } from "kvgit";
import { CountingStore } from "../support/counting-store.ts";
import { Versioned } from "../../src/versioned/versioned.ts";
import { walkReachable } from "../../src/versioned/reachable.ts";

const key = (i: number) => `k${String(i).padStart(5, "0")}`;

async function verifyAll(backend: MemoryStore, branches: string[]) {
  const report = await (await store({ backend })).verify();
  expect(report.problems).toEqual([]);
  for (const branch of branches) {
    const s = await store({ backend, branch });
    for (const k of s.keys()) s.get(k); // every value readable
    for await (const id of s.history(undefined, { allParents: true })) await s.commitInfo(id);
  }
}

describe("garbage collection", () => {
  it("a writer that started before another process rebased the branch merges only its own changes", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    a.setContentType("visits", counter());
    a.visits = 5;
    a.kept = "k";
    a.dropped = "d";
    await a.commit();
    const b = await store({ backend }); // starts here
    a.visits = 7; // +2
    await a.commit();
    await a.rebase({ keepKeys: ["visits", "kept"] }); // history replaced; "dropped" goes
    b.visits = (b.visits as number) + 1; // +1 from the old base
    b.mine = "b";
    const r = await b.commit();
    expect(r.strategy).toBe("three_way");
    const fresh = await store({ backend });
    expect(fresh.keys()).toEqual(["kept", "mine", "visits"]); // "dropped" stays dropped
    expect(fresh.visits).toBe(8); // 5 + 2 + 1: each increment once
    expect((await fresh.verify()).problems).toEqual([]);
  });

  it("a writer whose base commit was swept gets ConcurrencyError instead of writing a broken commit", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    a.x = 1;
    a.y = 2;
    await a.commit();
    const base = a.currentCommit;
    const b = await store({ backend });
    b.x = 10;
    await b.commit();
    await b.rebase({ keepKeys: ["x"], orphanMinAgeMs: 0 }); // y's value and a's base are swept
    a.z = 3;
    const err = await a.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConcurrencyError);
    expect((err as Error).message).toMatch(/removed by garbage collection.*refresh\(\)/);
    expect(a.currentCommit).toBe(base); // nothing changed on the store object
    expect(a.isStaged("z")).toBe(true);
    expect((await b.verify()).problems).toEqual([]);
    await a.refresh();
    a.z = 3;
    await a.commit();
    const fresh = await store({ backend });
    expect(fresh.keys()).toEqual(["x", "z"]);
    expect((await fresh.verify()).problems).toEqual([]);
  });

  it("a commit retried after a rival commits and sweeps (minAgeMs 0) mid-attempt still lands and rewrites what it wrote", async () => {
    class SweepOnFirstCas extends MemoryStore {
      hook: (() => Promise<void>) | undefined;
      override async cas(key: string, value: Uint8Array, expected: Uint8Array | undefined): Promise<boolean> {
        const hook = this.hook;
        this.hook = undefined;
        if (hook && key.startsWith("h/")) await hook();
        return super.cas(key, value, expected);
      }
    }
    const backend = new SweepOnFirstCas();
    const a = await store({ backend });
    for (let i = 0; i < 2000; i++) a.set(`k${i}`, i);
    await a.commit();
    const b = await store({ backend });
    for (let i = 0; i < 2000; i += 100) a.set(`k${i}`, `a${i}`);
    backend.hook = async () => {
      b.other = 1;
      await b.commit();
      expect(await b.cleanOrphans({ minAgeMs: 0 })).toBeGreaterThan(0); // a's first attempt's objects
    };
    const r = await a.commit();
    expect(r.strategy).toBe("three_way");
    expect([a.k100, a.other]).toEqual(["a100", 1]);
    expect((await (await store({ backend })).verify()).problems).toEqual([]);
  });

  it("a store object that measured its size still refreshes after another process swept the values it held", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    a.x = { v: 1 };
    a.y = { v: "yy" };
    await a.commit();
    await a.rebase({ keepKeys: ["x", "y"] }); // measures the total size of a's values
    const b = await store({ backend });
    await b.rebase({ keepKeys: ["x"], orphanMinAgeMs: 0 }); // drops y and sweeps its value
    await a.refresh();
    expect(a.keys()).toEqual(["x"]);
    a.z = "new";
    await a.commit();
    expect((await store({ backend })).keys()).toEqual(["x", "z"]);
  });

  it("a reader left on a commit that was rebased away and swept gets FormatError, and refresh() recovers", async () => {
    const backend = new MemoryStore();
    const writer = await store({ backend });
    writer.tags = new Set(["a"]); // not JSON-like: read from the backend at each read
    writer.n = 1;
    await writer.commit();
    const reader = await store({ backend });
    expect(reader.tags).toEqual(new Set(["a"]));
    writer.tags = new Set(["b"]);
    await writer.commit();
    await writer.rebase({ keepKeys: ["tags", "n"] });
    await writer.cleanOrphans({ minAgeMs: 0 });
    expect(() => reader.tags).toThrow(FormatError);
    expect(() => reader.tags).toThrow(/missing/);
    await reader.refresh();
    expect(reader.tags).toEqual(new Set(["b"]));
    expect(reader.n).toBe(1);
  });

  it("cleanOrphans removes what no branch reaches and keeps values shared with other branches", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.shared = "shared value";
    s.a = 1;
    const keep = (await s.commit()).commit;
    const dev = await s.createBranch("dev");
    dev.devOnly = "x";
    await dev.commit();
    for (let i = 0; i < 20; i++) {
      s.set("junk", { i, pad: "x".repeat(200) });
      await s.commit();
    }
    expect(await s.resetTo(keep)).toBe(true);
    const before = backend.stats();
    const progress: GcProgress[] = [];
    const deleted = await s.cleanOrphans({ minAgeMs: 0, onProgress: (p) => progress.push(p) });
    expect(deleted).toBeGreaterThanOrEqual(40); // 20 commits + their values + nodes
    expect(backend.stats().valueBytes).toBeLessThan(before.valueBytes);
    expect(progress.at(-1)).toMatchObject({ phase: "done", swept: deleted });
    await verifyAll(backend, ["main", "dev"]);
    expect((await store({ backend, branch: "dev" })).devOnly).toBe("x");
    expect(await s.cleanOrphans({ minAgeMs: 0 })).toBe(0);
  });

  it("keeps objects written within minAgeMs even when nothing reaches them yet (in-flight commits)", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.a = 1;
    await s.commit();
    const v = await Versioned.open(backend);
    const batch = v.objects.batch();
    batch.put("v", new TextEncoder().encode("not yet reachable"));
    await batch.flush();
    expect(await s.cleanOrphans({ minAgeMs: 60_000 })).toBe(0);
    expect(await s.cleanOrphans({ minAgeMs: 0 })).toBe(1);
  });

  it("marks each unique object once: cost follows unique objects, not commits x keys", async () => {
    const backend = new CountingStore(new MemoryStore());
    const s = await store({ backend });
    for (let i = 0; i < 2000; i++) s.set(key(i), i);
    await s.commit();
    for (let c = 0; c < 100; c++) {
      s.set(key((c * 37) % 2000), -c);
      await s.commit();
    }
    const v = await Versioned.open(backend);
    let requested = 0;
    const inner = backend.inner;
    const spy = Object.assign(Object.create(inner), {
      getMany: (keys: readonly string[]) => {
        requested += keys.length;
        return inner.getMany(keys);
      },
    });
    (v as any).kv = spy;
    const marked = new Set<string>();
    await walkReachable(v, { onObject: (k) => marked.add(k) });
    const objects = [...marked].filter((k) => k.startsWith("n/") || k.startsWith("c/")).length;
    expect(requested).toBe(objects); // every commit and node read exactly once
    expect(marked.size).toBeLessThan(102 * 2000 / 4); // far below commits x keys
  });

  it("rebase keeps the chosen keys, reports absent ones, and with cleanOrphans(0) shrinks to a fresh store's size", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    for (let i = 0; i < 300; i++) s.set(key(i), { i, pad: "p".repeat(100) });
    await s.commit();
    for (let c = 0; c < 50; c++) {
      s.set(key(c), { c, pad: "q".repeat(100) });
      await s.commit();
    }
    const keepKeys = [key(1), key(2), key(200), "absent"];
    const r = await s.rebase({ keepKeys });
    expect(r.performed).toBe(true);
    expect(r.keptKeys).toEqual([key(1), key(2), key(200)]);
    expect(r.ignoredKeys).toEqual(["absent"]);
    expect(r.droppedKeys).toHaveLength(297);
    expect(s.keys()).toEqual([key(1), key(2), key(200)]);
    await s.cleanOrphans({ minAgeMs: 0 });
    const fresh = new MemoryStore();
    const f = await store({ backend: fresh });
    for (const k of s.keys()) f.set(k, s.get(k));
    await f.commit();
    await f.rebase({ keepKeys: f.keys() });
    await f.cleanOrphans({ minAgeMs: 0 });
    const ours = backend.stats().valueBytes;
    const theirs = fresh.stats().valueBytes;
    expect(Math.abs(ours - theirs) / theirs).toBeLessThanOrEqual(0.1);
    await verifyAll(backend, ["main"]);
  });

  it("rebases automatically past highWaterBytes, coldest first, keeping the key just written", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend, highWaterBytes: 2500, lowWaterBytes: 2000 });
    for (let i = 0; i < 10; i++) {
      s.set(key(i), "x".repeat(200));
      await s.commit();
    }
    s.get(key(0)); // key 0 is now warm
    s.set("big", "y".repeat(900));
    await s.commit();
    const r = s.lastRebaseResult!;
    expect(r.performed).toBe(true);
    expect(r.totalSizeAfter).toBeLessThanOrEqual(2000);
    expect(s.has("big")).toBe(true);
    expect(s.has(key(0))).toBe(true);
    expect(r.droppedKeys).toContain(key(1));
    expect([...r.droppedKeys].sort()).toEqual(r.droppedKeys);
    expect((await s.maybeRebase()).performed).toBe(false);
  });

  it("validates water marks and fails a rebase that loses the race without deleting anything", async () => {
    await expect(store({ highWaterBytes: 100, lowWaterBytes: 200 })).rejects.toThrow(/lowWaterBytes/);
    await expect(store({ highWaterBytes: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(store({ highWaterBytes: 100, lowWaterBytes: 0 })).rejects.toThrow(/lowWaterBytes/);
    const backend = new MemoryStore();
    const a = await store({ backend });
    const b = await store({ backend });
    a.k = 1;
    await a.commit();
    const before = backend.stats().entries;
    await expect(b.rebase({ keepKeys: [] })).rejects.toBeInstanceOf(ConcurrencyError);
    expect(backend.stats().entries).toBeGreaterThanOrEqual(before);
    await verifyAll(backend, ["main"]);
  });
});

describe("verify", () => {
  it("re-hashes every reachable object and reports missing or altered ones", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    for (let i = 0; i < 500; i++) s.set(key(i), { i });
    await s.commit();
    await s.createBranch("dev");
    const ok = await s.verify();
    expect(ok).toMatchObject({ ok: true, commits: 2, values: 500 });
    expect(ok.nodes).toBeGreaterThan(10);
    const valueKey = [...(await collect(backend.keys("v/")))][0];
    const bytes = (await backend.get(valueKey))!;
    bytes[bytes.length - 1] ^= 1;
    await backend.set(valueKey, bytes);
    const nodeKey = [...(await collect(backend.keys("n/")))][0];
    await backend.delete(nodeKey);
    const bad = await s.verify();
    expect(bad.ok).toBe(false);
    expect(bad.problems.some((p) => p.startsWith(`${nodeKey}: missing`))).toBe(true);
    expect(bad.problems).toContain(`${valueKey}: hash mismatch`);
  });
});

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out;
}
