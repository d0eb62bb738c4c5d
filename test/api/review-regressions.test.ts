import { describe, expect, it } from "vitest";
import { store, MemoryStore, counter, type KVStore } from "kvgit";

/** A MemoryStore wrapper with hooks; `sync: false` hides getSync (acts like a remote backend). */
class HookStore implements KVStore {
  readonly atomicCas = true;
  readonly shared = false;
  readonly description = "hook";
  writes: string[] = [];
  onCas: (() => Promise<void>) | undefined;
  failGetMany = 0;
  getSync?: (key: string) => Uint8Array | undefined;
  constructor(readonly inner: MemoryStore = new MemoryStore(), sync = true) {
    if (sync) this.getSync = (k) => inner.getSync(k);
  }
  get(k: string) { return this.inner.get(k); }
  async getMany(keys: readonly string[]) {
    if (this.failGetMany > 0) { this.failGetMany--; throw new Error("injected getMany failure"); }
    return this.inner.getMany(keys);
  }
  set(k: string, v: Uint8Array) { this.writes.push(k); return this.inner.set(k, v); }
  setMany(e: Iterable<readonly [string, Uint8Array]>) {
    const list = [...e];
    for (const [k] of list) this.writes.push(k);
    return this.inner.setMany(list);
  }
  delete(k: string) { this.writes.push("del " + k); return this.inner.delete(k); }
  deleteMany(keys: readonly string[]) { this.writes.push(...keys.map((k) => "del " + k)); return this.inner.deleteMany(keys); }
  has(k: string) { return this.inner.has(k); }
  keys(p?: string) { return this.inner.keys(p); }
  async cas(k: string, v: Uint8Array, e: Uint8Array | undefined) {
    if (this.onCas) { const h = this.onCas; this.onCas = undefined; await h(); }
    this.writes.push("cas " + k);
    return this.inner.cas(k, v, e);
  }
  casDelete(k: string, e: Uint8Array) { this.writes.push("casDelete " + k); return this.inner.casDelete(k, e); }
  clear() { return this.inner.clear(); }
  async close() {}
}

/** Makes the next CAS wait until `release()`; `inCas` resolves once a CAS has started. */
function holdCas(kv: HookStore): { inCas: Promise<void>; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inCas = new Promise<void>((r) => (entered = r));
  kv.onCas = async () => {
    entered();
    await gate;
  };
  return { inCas, release };
}

describe("regressions found in review: concurrency on one store object, failure atomicity, merge rules", () => {
  it("F1: a write staged while a commit is in flight is not lost", async () => {
    const kv = new HookStore();
    const s = await store({ backend: kv });
    s.x = 1;
    const { inCas, release } = holdCas(kv);
    const p = s.commit();
    await inCas; // the commit has encoded its changes and is moving the head
    s.x = 2; // a new write, made after the commit took its snapshot
    release();
    await p;
    expect(s.x).toBe(2); // the newer staged value must survive
    expect(s.isStaged("x")).toBe(true);
  });

  it("F2: a content type set while a commit is in flight is not dropped", async () => {
    const kv = new HookStore();
    const s = await store({ backend: kv });
    s.n = 1;
    const { inCas, release } = holdCas(kv);
    const p = s.commit();
    await inCas;
    s.setContentType("n", counter());
    release();
    await p;
    expect(s.hasChanges).toBe(true); // the policy edit is still waiting for the next commit
    await s.commit();
    const other = await store({ backend: kv });
    expect(other.getContentType("n")?.name).toBe("counter");
  });

  it("F3: tryMerge of unrelated histories writes nothing (reads never write)", async () => {
    const mem = new MemoryStore();
    const a = await store({ backend: mem });
    a.k = 1;
    await a.commit();
    await new Promise((r) => setTimeout(r, 5)); // a distinct initial commit (ids depend on time)
    const b = await store({ backend: mem, branch: "other" }); // its own root commit: no common ancestor
    b.j = 2;
    await b.commit();
    const kv = new HookStore(mem);
    const fresh = await store({ backend: kv }); // a new process: nothing cached
    kv.writes = [];
    const r = await fresh.tryMerge("other");
    expect(r.ok).toBe(true);
    expect(kv.writes).toEqual([]);
  });

  it("F4: removed by both sides -> removed, even with a merge function", async () => {
    const s = await store();
    s.k = 10;
    await s.commit();
    s.setMergeFn("k", (_b, o, t) => (o ?? 0) + (t ?? 0) + 1);
    const t = await s.checkout("main");
    t.setMergeFn("k", (_b, o, t2) => (o ?? 0) + (t2 ?? 0) + 1);
    t.remove("k");
    await t.commit();
    s.remove("k");
    const r = await s.commit();
    expect(r.strategy).toBe("three_way");
    expect(s.has("k")).toBe(false);
  });

  it("F5: criss-cross counter merge counts every increment once", async () => {
    const a = await store();
    a.setContentType("c", counter());
    a.c = 0;
    await a.commit();
    const b = await a.createBranch("b");
    a.c = 1; // +1
    await a.commit();
    const a1 = a.currentCommit;
    b.c = 2; // +2
    await b.commit();
    const b1 = b.currentCommit;
    await a.merge(b1); // a = 3
    await b.merge(a1); // b = 3  (criss-cross: bases a1 and b1)
    expect(a.c).toBe(3);
    expect(b.c).toBe(3);
    a.c = 13; // +10
    await a.commit();
    b.c = 103; // +100
    await b.commit();
    await a.merge("b");
    expect(a.c).toBe(113);
  });

  it("F6: a commit that landed is never reported as failed (retry must not double-count)", async () => {
    const kv = new HookStore(new MemoryStore(), false);
    const s = await store({ backend: kv });
    s.setContentType("c", counter());
    s.c = 10;
    await s.commit();
    const other = await s.checkout("main");
    other.c = 11;
    await other.commit(); // head moves: s's next commit is a three-way merge
    s.c = 11;
    // fail the first batched read after s's CAS succeeded (reading the merged commit's values)
    kv.onCas = async () => { kv.failGetMany = 1; };
    let threw = false;
    try { await s.commit(); } catch { threw = true; }
    if (threw) {
      // the error said "failed", so a user retries:
      kv.failGetMany = 0;
      await s.commit();
    }
    await s.refresh();
    expect(s.c).toBe(12);
  });

  it("F7: a merge function that throws while building a criss-cross virtual base gives MergeConflict", async () => {
    let fail = false;
    const fn = (_b: unknown, o: unknown, t: unknown) => {
      if (fail) throw new Error("boom");
      return Math.max(o as number, t as number);
    };
    const a = await store();
    a.setMergeFn("k", fn);
    a.k = 0;
    await a.commit();
    const b = await a.createBranch("b");
    b.setMergeFn("k", fn);
    a.k = 1;
    await a.commit();
    const a1 = a.currentCommit;
    b.k = 2;
    await b.commit();
    const b1 = b.currentCommit;
    await a.merge(b1);
    await b.merge(a1);
    a.k = 10;
    await a.commit();
    b.k = 20;
    await b.commit();
    fail = true;
    const err = await a.merge("b").catch((e) => e);
    expect(err?.code).toBe("MERGE_CONFLICT");
  });

  it("F8: a merge function returning a Promise (garbage) fails the commit", async () => {
    const s = await store();
    s.k = 1;
    await s.commit();
    const t = await s.checkout("main");
    t.k = 2;
    await t.commit();
    s.k = 3;
    const before = s.currentCommit;
    const err = await s.commit({ mergeFns: { k: (async () => 5) as never } }).catch((e) => e);
    expect(err?.code).toBe("MERGE_CONFLICT");
    expect(s.currentCommit).toBe(before);
    expect(s.k).toBe(3);
  });

  it("F9: reset() drops every staged change, including staged merge-policy edits", async () => {
    const s = await store();
    s.setContentType("n", counter());
    s.reset();
    expect(s.hasChanges).toBe(false);
    const r = await s.commit();
    expect(r.strategy).toBe("no_op");
  });
});
