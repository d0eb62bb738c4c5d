import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { MemoryStore, store, type Staged } from "../../src/index.ts";
import { Versioned } from "../../src/versioned/versioned.ts";
import { INDEXED_MIN_HEIGHT, readsFromIndex } from "../../src/api/load-committed.ts";
import { CountingStore } from "../support/counting-store.ts";

/** A memory backend counting its synchronous reads. */
class SyncReadCounter extends MemoryStore {
  syncReads = 0;
  override getSync(key: string) {
    this.syncReads++;
    return super.getSync(key);
  }
  override getSyncParts(prefix: string, rest: string) {
    this.syncReads++;
    if (prefix === "v/") this.valueReadsByHex++;
    return super.getSyncParts(prefix, rest);
  }
  valueReadsByHex = 0;
  rawIdReads = 0;
  override getSyncId(prefix: string, id: Uint8Array, offset: number) {
    this.rawIdReads++;
    return super.getSyncId(prefix, id, offset);
  }
}

type Op =
  | { kind: "set"; key: string; value: unknown }
  | { kind: "remove"; key: string }
  | { kind: "commit" }
  | { kind: "rival"; key: string; value: number } // another writer commits first: the next commit is three-way
  | { kind: "refresh" }
  | { kind: "rebase"; keep: string[] };

const KEYS = ["a/1", "a/2", "a/10", "b/1", "b/x", "c", "counter"];
const key = fc.constantFrom(...KEYS);
const value = fc.oneof(fc.integer(), fc.string({ maxLength: 6 }), fc.record({ n: fc.integer(), tags: fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }) }), fc.constant(new Set(["s"])));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("set" as const), key, value }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("remove" as const), key }) },
  { weight: 3, arbitrary: fc.constant({ kind: "commit" as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("rival" as const), key, value: fc.integer({ min: 0, max: 9 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "refresh" as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("rebase" as const), keep: fc.subarray(KEYS) }) },
);

/** Everything a user can read from a store object, as plain data. */
function observe(s: Staged): unknown {
  return {
    size: s.size,
    keys: s.keys(),
    keysA: s.keys("a/"),
    keysB1: s.keys("b/1"),
    has: KEYS.map((k) => s.has(k)),
    values: KEYS.map((k) => s.get(k, "<absent>")),
    staged: s.hasChanges,
  };
}

async function apply(s: Staged, rival: Staged, o: Op): Promise<unknown> {
  try {
    switch (o.kind) {
      case "set":
        s.set(o.key, o.value);
        return "ok";
      case "remove":
        s.remove(o.key);
        return "ok";
      case "commit": {
        const r = await s.commit();
        return [r.merged, r.strategy];
      }
      case "rival":
        await rival.refresh();
        rival.set(o.key, o.value);
        return (await rival.commit()).strategy;
      case "refresh":
        await s.refresh();
        return "ok";
      case "rebase": {
        await s.refresh();
        const r = await s.rebase({ keepKeys: o.keep });
        return [r.droppedKeys, r.keptKeys, r.totalSizeBefore, r.totalSizeAfter];
      }
    }
  } catch (err) {
    return `error ${(err as Error).name}`;
  }
}

describe("reading the committed state from the index (workingCopy: \"index\")", () => {
  it("gives the same results as a loaded working copy under random edits, commits, rival writers, refreshes and rebases", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const counter = { merge: (_key: string, base: unknown, ours: unknown, theirs: unknown) => (Number(ours) || 0) + (Number(theirs) || 0) - (Number(base) || 0) };
        const sides = await Promise.all(
          (["load", "index"] as const).map(async (mode) => {
            const backend = new MemoryStore();
            const s = await store({ backend, workingCopy: mode });
            const rival = await store({ backend, workingCopy: mode });
            s.setDefaultMerge(counter.merge);
            return { s, rival };
          }),
        );
        for (const o of ops) {
          const results = [];
          for (const { s, rival } of sides) results.push([await apply(s, rival, o), observe(s)]);
          expect(results[1]).toEqual(results[0]);
        }
        // A fresh store object on each backend sees the same committed state too.
        const fresh = await Promise.all(sides.map(async ({ s }) => observe(await s.checkout(s.currentCommit))));
        expect(fresh[1]).toEqual(fresh[0]);
      }),
      { numRuns: 60 },
    );
  });

  it("a loaded store object reads each value at open by the id bytes its leaf stores, not by hex", async () => {
    const backend = new SyncReadCounter();
    const w = await store({ backend });
    for (let i = 0; i < 500; i++) w.set(`k${i}`, { i });
    await w.commit();
    [backend.valueReadsByHex, backend.rawIdReads] = [0, 0];
    const s = await store({ backend, workingCopy: "load" });
    expect(s.get("k123")).toEqual({ i: 123 });
    expect(backend.valueReadsByHex).toBe(0);
    expect(backend.rawIdReads).toBeGreaterThanOrEqual(500);
  });

  it("reads without loading: opening reads one index node, a read walks one path", async () => {
    const backend = new SyncReadCounter();
    const w = await store({ backend });
    for (let i = 0; i < 5000; i++) w.set(`k${i}`, { i });
    await w.commit();
    backend.syncReads = 0;
    const s = await store({ backend, workingCopy: "index" });
    expect(backend.syncReads).toBeLessThan(10); // the head commit, the policy, the root: not 5,000 entries
    const afterOpen = backend.syncReads;
    expect(s.get("k4321")).toEqual({ i: 4321 });
    expect(s.has("nope")).toBe(false);
    expect(backend.syncReads - afterOpen).toBeLessThan(20); // two paths and a value
    expect(s.size).toBe(5000);
    expect(s.keys("k499")).toEqual(["k499", "k4990", "k4991", "k4992", "k4993", "k4994", "k4995", "k4996", "k4997", "k4998", "k4999"]);
  });

  it("\"auto\" reads from the index once the index is INDEXED_MIN_HEIGHT high, on in-process backends only", async () => {
    const backend = new MemoryStore();
    const w = await store({ backend });
    const versioned = await Versioned.open(backend);
    expect(readsFromIndex(versioned, (await versioned.getCommit(w.currentCommit)).root, "auto")).toBe(false);
    expect(readsFromIndex(versioned, (await versioned.getCommit(w.currentCommit)).root, "index")).toBe(true);
    const k = (i: number) => "k" + String(i).padStart(6, "0");
    for (let i = 0; i < 100_000; i++) w.set(k(i), i);
    const root = (await versioned.getCommit((await w.commit()).commit)).root;
    expect((await versioned.nodes.get(root)).height).toBeGreaterThanOrEqual(INDEXED_MIN_HEIGHT);
    expect(readsFromIndex(versioned, root, "auto")).toBe(true);
    expect(readsFromIndex(versioned, root, "load")).toBe(false);
    // The writer, now reading from the index, and a fresh object agree with what was written.
    const fresh = await store({ backend });
    for (const s of [w, fresh]) {
      expect(s.size).toBe(100_000);
      expect(s.get(k(99_999))).toBe(99_999);
      expect(s.keys("k09999")).toEqual(Array.from({ length: 10 }, (_, i) => `k09999${i}`));
    }
    w.set(k(5), "five");
    w.remove(k(6));
    await w.commit();
    await fresh.refresh();
    expect(fresh.get(k(5))).toBe("five");
    expect(fresh.has(k(6))).toBe(false);
    expect(fresh.size).toBe(99_999);
    expect(await fresh.diff(fresh.currentCommit + "~1")).toEqual({ added: [], removed: [k(6)], modified: [k(5)] });
  });

  it("rejects \"index\" on a backend without synchronous reads, and unknown modes, naming the option", async () => {
    const remote = new CountingStore(new MemoryStore()); // reads asynchronously only
    await expect(store({ backend: remote, workingCopy: "index" })).rejects.toThrow(RangeError);
    await expect(store({ backend: remote, workingCopy: "index" })).rejects.toThrow(/workingCopy.*synchronous reads/);
    await expect(store({ backend: new MemoryStore(), workingCopy: "lazy" as never })).rejects.toThrow(/option "workingCopy" must be "auto", "load" or "index"/);
    const s = await store({ backend: remote });
    s.x = 1;
    await s.commit();
    expect((await store({ backend: remote, workingCopy: "auto" })).x).toBe(1);
  });

  it("works on the disk backend too, across reopening", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvgit-index-"));
    try {
      const w = await store({ kind: "disk", path: dir, workingCopy: "index" });
      for (let i = 0; i < 3000; i++) w.set(`k${i}`, { i });
      await w.commit();
      w.set("k7", "seven");
      w.remove("k8");
      await w.commit();
      expect([w.size, w.get("k7"), w.has("k8"), w.keys("k299")]).toEqual([2999, "seven", false, ["k299", "k2990", "k2991", "k2992", "k2993", "k2994", "k2995", "k2996", "k2997", "k2998", "k2999"]]);
      await w.close();
      const r = await store({ kind: "disk", path: dir, workingCopy: "index" });
      expect([r.size, r.get("k7"), r.get("k2999"), r.has("k8")]).toEqual([2999, "seven", { i: 2999 }, false]);
      expect(await r.diff(r.currentCommit + "~1")).toEqual({ added: [], removed: ["k8"], modified: ["k7"] });
      await r.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a store object reading from the index refreshes after another process rebased the branch and swept its tree", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend, workingCopy: "index" });
    a.x = { v: 1 };
    a.y = { v: "yy" };
    await a.commit();
    await a.rebase({ keepKeys: ["x", "y"] }); // measures the total size
    const b = await store({ backend });
    await b.rebase({ keepKeys: ["x"], orphanMinAgeMs: 0 }); // sweeps a's tree and y's value
    await a.refresh();
    expect(a.keys()).toEqual(["x"]);
    expect(a.size).toBe(1);
    a.z = "new";
    await a.commit();
    expect((await store({ backend })).keys()).toEqual(["x", "z"]);
  });
});
