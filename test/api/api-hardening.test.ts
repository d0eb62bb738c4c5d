import { describe, expect, it } from "vitest";
import { ConcurrencyError, MemoryStore, MergeConflict, Namespaced, counter, store, verifyProof } from "kvgit";

/** Loses every CAS on a branch head while `losing` is set: a head that keeps moving. */
class LosingCasStore extends MemoryStore {
  losing = false;
  override async cas(key: string, value: Uint8Array, expected: Uint8Array | undefined): Promise<boolean> {
    if (this.losing && key.startsWith("h/")) return false;
    return super.cas(key, value, expected);
  }
}

async function backendSnapshot(backend: MemoryStore): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const k of backend.keys()) out.set(k, Buffer.from((await backend.get(k))!).toString("hex"));
  return out;
}

describe("user keys never reach Object.prototype", () => {
  it("keys named like Object.prototype members are not merged by its methods when mergeFns is passed", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    const both = (s: { set(k: string, v: unknown): unknown }, v: number) => ["constructor", "toString"].forEach((k) => s.set(k, v));
    both(a, 1);
    await a.commit();
    const b = await store({ backend });
    both(a, 2);
    await a.commit();
    both(b, 3);
    const err = await b.commit({ mergeFns: { other: counter().merge } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MergeConflict);
    expect((err as MergeConflict).conflictingKeys).toEqual(["constructor", "toString"]);
    expect((err as MergeConflict).mergeErrors).toEqual({});
  });

  it("a merge function that throws for a key named __proto__ is listed in mergeErrors as an own key", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    a.set("__proto__", 1);
    await a.commit();
    const b = await store({ backend });
    a.set("__proto__", 2);
    await a.commit();
    b.set("__proto__", 3);
    const err = (await b.commit({ mergeFns: { ["__proto__"]: () => { throw new Error("no merge"); } } }).catch((e: unknown) => e)) as MergeConflict;
    expect(err).toBeInstanceOf(MergeConflict);
    expect(Object.keys(err.mergeErrors)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(err.mergeErrors)).toBe(Object.prototype);
  });

  it("getMany returns __proto__ as an own key (store, snapshot, namespace), never as the prototype", async () => {
    const s = await store();
    s.set("__proto__", { evil: true });
    s.set("ns/__proto__", { evil: true });
    s.a = 1;
    const staged = s.getMany(["__proto__", "a"]);
    expect(Object.keys(staged)).toEqual(["__proto__", "a"]);
    expect(Object.getPrototypeOf(staged)).toBe(Object.prototype);
    expect((staged as Record<string, unknown>).evil).toBeUndefined();
    await s.commit();
    const snap = await (await s.at("main")).getMany(["__proto__", "a"]);
    expect(Object.keys(snap)).toEqual(["__proto__", "a"]);
    expect(Object.getPrototypeOf(snap)).toBe(Object.prototype);
    const ns = s.namespace("ns").getMany(["__proto__"]);
    expect(Object.keys(ns)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(ns)).toBe(Object.prototype);
  });
});

describe("commit() and friends check their options before writing anything", () => {
  const bad: Array<[string, unknown, RegExp, typeof TypeError | typeof RangeError]> = [
    ["a string instead of options", "msg", /options object.*commit\(\{ message: "msg" \}\)/, TypeError],
    ["onConflict: \"nope\"", { onConflict: "nope" }, /"onConflict" must be "raise" or "abandon"/, RangeError],
    ["keys: 5", { keys: 5 }, /"keys" must be an iterable of key strings/, TypeError],
    ["keys: \"a\" (a string is not a key list)", { keys: "a" }, /"keys" must be an iterable/, TypeError],
    ["keys: [\"\"]", { keys: [""] }, /non-empty strings/, TypeError],
    ["mergeFns: { a: 5 }", { mergeFns: { a: 5 } }, /"mergeFns": the merge function for "a" must be a function/, TypeError],
    ["mergeFns: [] (not a record)", { mergeFns: [] }, /"mergeFns" must be an object/, TypeError],
    ["defaultMerge: 5", { defaultMerge: 5 }, /"defaultMerge" must be a function/, TypeError],
  ];
  for (const [what, opts, message, type] of bad) {
    it(`commit(${what}) is a ${type.name} naming the option; currentCommit, staged changes and backend unchanged`, async () => {
      const backend = new MemoryStore();
      const s = await store({ backend });
      s.a = 1;
      const head = (await s.commit()).commit;
      s.a = 2;
      const before = await backendSnapshot(backend);
      const err = await s.commit(opts as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(type);
      expect((err as Error).message).toMatch(message);
      expect(s.currentCommit).toBe(head);
      expect(s.a).toBe(2);
      expect(s.hasChanges).toBe(true);
      expect(await backendSnapshot(backend)).toEqual(before);
    });
  }

  const badThroughNamespace: Array<[string, unknown, RegExp]> = [
    ["a string instead of options", "msg", /options object.*commit\(\{ message: "msg" \}\)/],
    ["keys: \"ab\" (a string is not a key list)", { keys: "ab" }, /"keys" must be an iterable of key strings/],
    ["keys: 5", { keys: 5 }, /"keys" must be an iterable of key strings/],
    ["mergeFns: null", { mergeFns: null }, /"mergeFns" must be an object/],
    ["mergeFns: [] (not a record)", { mergeFns: [] }, /"mergeFns" must be an object/],
  ];
  for (const [what, opts, message] of badThroughNamespace) {
    it(`ns.commit(${what}) is checked like the root's commit(), before the keys are prefixed; nothing written`, async () => {
      const backend = new MemoryStore();
      const s = await store({ backend });
      const ns = s.namespace("ns");
      ns.a = 1;
      const head = (await s.commit()).commit;
      ns.a = 2;
      ns.b = 3;
      const before = await backendSnapshot(backend);
      const err = await ns.commit(opts as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toMatch(message);
      expect(s.currentCommit).toBe(head);
      expect([ns.a, ns.b, ns.isStaged("a"), ns.isStaged("b")]).toEqual([2, 3, true, true]);
      expect(await backendSnapshot(backend)).toEqual(before);
    });
  }

  it("merge(source, \"msg\") is a TypeError asking for an options object, and message/info are checked; the branch is not moved", async () => {
    const s = await store();
    s.a = 1;
    await s.commit();
    const dev = await s.createBranch("dev");
    dev.a = 2;
    await dev.commit();
    const head = s.currentCommit;
    await expect(s.merge("dev", "msg" as never)).rejects.toThrow(/merge\(\) takes an options object/);
    await expect(s.merge("dev", 5 as never)).rejects.toThrow(TypeError);
    // message and info are checked even though this merge would be a fast-forward (no commit)
    await expect(s.merge("dev", { message: 42 as never })).rejects.toThrow(/message/);
    await expect(s.merge("dev", { info: { m: new Map() } as never })).rejects.toThrow(/info\.m is a Map/);
    expect(s.currentCommit).toBe(head);
    expect(s.a).toBe(1);
    expect((await s.merge("dev")).strategy).toBe("fast_forward");
  });

  it("setDefaultMerge(fn, \"ns/\") is a TypeError, not a store-wide default", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    a.x = "base";
    await a.commit();
    const b = await store({ backend });
    expect(() => b.setDefaultMerge(() => "merged", "ns/" as never)).toThrow(/setDefaultMerge\(\) takes an options object \(\{ prefix\? \}\)/);
    a.x = "a";
    await a.commit();
    b.x = "b";
    await expect(b.commit()).rejects.toBeInstanceOf(MergeConflict);
  });

  it("verify({ onProgress: 5 }) and rebase({ keepKeys: 5 }) are TypeErrors naming the option", async () => {
    const s = await store();
    s.a = 1;
    await s.commit();
    await expect(s.verify({ onProgress: 5 as never })).rejects.toThrow(/"onProgress" must be a function/);
    await expect(s.rebase({ keepKeys: 5 as never })).rejects.toThrow(/"keepKeys" must be an iterable/);
    expect((await s.verify({ onProgress: () => {} })).ok).toBe(true);
  });
});

describe("namespaces", () => {
  it("a namespace's default merge decides only its own keys; the innermost namespace wins", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    for (const k of ["x", "ns/x", "ns/inner/x"]) a.set(k, "base");
    await a.commit();
    const b = await store({ backend });
    const joined = (tag: string) => (_b: unknown, ours: unknown, theirs: unknown) => `${tag}:${theirs}+${ours}`;
    b.namespace("ns").setDefaultMerge(joined("ns"));
    new Namespaced(b.namespace("ns"), "inner").setDefaultMerge(joined("inner"));
    for (const k of ["ns/x", "ns/inner/x"]) a.set(k, "a");
    await a.commit();
    for (const k of ["ns/x", "ns/inner/x"]) b.set(k, "b");
    const r = await b.commit();
    expect(r.autoMergedKeys).toEqual(["ns/inner/x", "ns/x"]);
    expect([b.get("ns/x"), b.get("ns/inner/x")]).toEqual(["ns:a+b", "inner:a+b"]);
    // a key outside the namespace has no merge function: a conflict
    a.x = "a2";
    await a.commit();
    b.x = "b2";
    const err = await b.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MergeConflict);
    expect((err as MergeConflict).conflictingKeys).toEqual(["x"]);
    b.setDefaultMerge(joined("root"));
    await b.commit();
    expect(b.x).toBe("root:a2+b2");
  });

  it("a namespace's default comes after per-call mergeFns, the key's registered function and its content type", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    for (const k of ["ns/call", "ns/key", "ns/ct", "ns/dflt"]) a.set(k, 1);
    await a.commit();
    const b = await store({ backend });
    const ns = b.namespace("ns");
    ns.setDefaultMerge(() => "ns-default");
    ns.setMergeFn("key", () => "registered");
    ns.setContentType("ct", counter(), { persist: false });
    for (const k of ["ns/call", "ns/key", "ns/ct", "ns/dflt"]) a.set(k, 2);
    await a.commit();
    for (const k of ["ns/call", "ns/key", "ns/ct", "ns/dflt"]) b.set(k, 3);
    await ns.commit({ mergeFns: { call: () => "per-call" } });
    expect([ns.call, ns.key, ns.ct, ns.dflt]).toEqual(["per-call", "registered", 4, "ns-default"]);
  });

  it("a namespace over a Live store accepts setDefaultMerge (ignored, as setMergeFn is) but still rejects a non-function", async () => {
    const live = await store({ type: "live" });
    const ns = live.namespace("ns");
    expect(() => ns.setDefaultMerge(() => 1)).not.toThrow();
    expect(() => ns.setDefaultMerge(5 as never)).toThrow(TypeError);
    ns.a = 1;
    expect(live.get("ns/a")).toBe(1);
  });

  it("a namespace attaches a content type to all its keys with setContentType(\"\", ct, { prefix: true })", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    a.namespace("hits").setContentType("", counter(), { prefix: true });
    a.set("hits/x", 0);
    a.set("other", 0);
    await a.commit();
    expect(a.getContentType("hits/x")?.name).toBe("counter");
    expect(a.getContentType("other")).toBeUndefined();
    expect(() => a.namespace("hits").setContentType("", counter())).toThrow(TypeError); // "" is a key only as a prefix
    const b = await store({ backend });
    a.set("hits/x", 1);
    await a.commit();
    b.set("hits/x", 2);
    await b.commit();
    expect(b.get("hits/x")).toBe(3);
  });

  it("initialCommit() and verify(opts) work through a namespace", async () => {
    const s = await store();
    const first = await s.initialCommit();
    for (let i = 0; i < 6_000; i++) s.set(`k${i}`, i); // verify reports progress every 5,000 objects
    await s.commit();
    const ns = s.namespace("ns");
    expect(await ns.initialCommit()).toBe(first);
    let calls = 0;
    expect((await ns.verify({ onProgress: () => calls++ })).ok).toBe(true);
    expect(calls).toBeGreaterThan(0); // the options reached the root's verify
  });
});

describe("behaviour users rely on, pinned", () => {
  it("a commit whose CAS keeps losing gives up with ConcurrencyError, leaving currentCommit and staged changes", async () => {
    const backend = new LosingCasStore();
    const s = await store({ backend });
    s.a = 1;
    const head = (await s.commit()).commit;
    s.a = 2;
    s.b = 3;
    backend.losing = true;
    const err = await s.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConcurrencyError);
    expect((err as ConcurrencyError).data).toMatchObject({ branch: "main" });
    expect(s.currentCommit).toBe(head);
    expect([s.a, s.b, s.hasChanges]).toEqual([2, 3, true]);
    backend.losing = false;
    await s.commit();
    expect((await store({ backend })).a).toBe(2);
  }, 30_000);

  it("a commit whose head is moved by another writer before every CAS gives up with ConcurrencyError; nothing of it lands", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    const other = await store({ backend });
    s.x = 0;
    await s.commit();
    await other.refresh();
    let moves = 0;
    let racing = false;
    const cas = backend.cas.bind(backend);
    backend.cas = async (key, value, expected) => {
      if (racing && key === "h/main") {
        racing = false; // the other writer's own commit must not recurse
        other.set("y", ++moves);
        await other.commit();
        racing = true;
      }
      return cas(key, value, expected);
    };
    const head = s.currentCommit;
    s.x = 1;
    racing = true;
    const err = await s.commit().catch((e: unknown) => e);
    racing = false;
    expect(err).toBeInstanceOf(ConcurrencyError);
    expect(moves).toBeGreaterThan(1); // the merge was redone against each new head
    expect(s.currentCommit).toBe(head);
    expect([s.x, s.isStaged("x"), s.hasChanges]).toEqual([1, true, true]);
    const fresh = await store({ backend });
    expect([fresh.x, fresh.y]).toEqual([0, moves]);
  }, 30_000);

  it("onConflict: \"abandon\" does not hide a base swept by garbage collection: that still raises, telling to refresh()", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    a.x = 1;
    await a.commit();
    const b = await store({ backend });
    b.y = 2;
    await b.commit();
    await b.rebase({ keepKeys: ["x", "y"], orphanMinAgeMs: 0 });
    a.z = 3;
    await expect(a.commit({ onConflict: "abandon" })).rejects.toThrow(/refresh\(\)/);
    expect(a.z).toBe(3);
  });

  it("onConflict: \"abandon\" also covers a head that keeps moving: merged false, staged changes and currentCommit kept", async () => {
    const backend = new LosingCasStore();
    const s = await store({ backend });
    s.a = 1;
    const head = (await s.commit()).commit;
    s.a = 2;
    backend.losing = true;
    const r = await s.commit({ onConflict: "abandon" });
    expect(r).toEqual({ merged: false, commit: head, strategy: "three_way", autoMergedKeys: [], carriedKeys: [] });
    expect(s.lastMergeResult).toEqual(r);
    expect([s.currentCommit, s.a, s.hasChanges]).toEqual([head, 2, true]);
    backend.losing = false;
    expect((await s.commit({ onConflict: "abandon" })).merged).toBe(true);
  }, 30_000);

  it("merge(..., { resolution: \"ours\" }) keeps this branch's side of a conflict and still takes the source's other changes", async () => {
    const s = await store();
    s.k = "base";
    s.gone = 1;
    await s.commit();
    const dev = await s.createBranch("dev");
    dev.k = "dev";
    dev.delete("gone");
    dev.extra = 1;
    const devHead = (await dev.commit()).commit;
    s.k = "main";
    s.gone = 2;
    const mainHead = (await s.commit()).commit;
    const r = await s.merge("dev", { resolution: "ours" });
    expect(r.strategy).toBe("three_way");
    expect([s.k, s.gone, s.extra]).toEqual(["main", 2, 1]);
    expect(await s.parents(r.commit)).toEqual([mainHead, devHead]);
    expect(s.lastMergeResult).toEqual(r);
    expect(s.hasChanges).toBe(false);
  });

  /** Two writers on one backend; `b` commits after `a` moved the head: a three-way commit. */
  async function threeWay() {
    const backend = new MemoryStore();
    const a = await store({ backend });
    for (const k of ["c3", "c1", "c2"]) a.setContentType(k, counter());
    for (const k of ["c3", "c1", "c2", "z", "y"]) a.set(k, 0);
    await a.commit();
    const b = await store({ backend });
    for (const k of ["c3", "c1", "c2"]) a.set(k, 1);
    a.z = 1;
    a.y = 1;
    const aHead = (await a.commit({ message: "a" })).commit;
    for (const k of ["c2", "c3", "c1"]) b.set(k, 2);
    b.x = 1;
    const started = b.baseCommit;
    const r = await b.commit({ message: "b" });
    return { a, b, aHead, started, r };
  }

  it("lastMergeResult and baseCommit after a three-way commit", async () => {
    const { b, aHead, started, r } = await threeWay();
    expect(r.strategy).toBe("three_way");
    expect(b.lastMergeResult).toEqual(r);
    expect(started).not.toBe(aHead);
    expect(b.baseCommit).toBe(r.commit);
    expect(b.currentCommit).toBe(r.commit);
    expect(await b.parents(r.commit)).toContain(aHead);
    expect([b.c1, b.c2, b.c3, b.y, b.z, b.x]).toEqual([3, 3, 3, 1, 1, 1]);
    expect(b.hasChanges).toBe(false);
  });

  it("autoMergedKeys and carriedKeys are sorted when several keys are involved", async () => {
    const { r } = await threeWay();
    expect(r.autoMergedKeys).toEqual(["c1", "c2", "c3"]);
    expect(r.carriedKeys).toEqual(["y", "z"]);
  });

  it("log({ ref }) starts at that ref, not at the current commit", async () => {
    const { b, aHead, r } = await threeWay();
    const fromA = await b.log({ ref: aHead });
    expect(fromA[0]).toMatchObject({ id: aHead, message: "a" });
    expect(fromA.map((c) => c.id)).not.toContain(r.commit);
    const main = await b.log({ ref: "main", limit: 1 });
    expect(main.map((c) => [c.id, c.message])).toEqual([[r.commit, "b"]]);
    const side = await b.createBranch("side");
    side.w = 1;
    const sideHead = (await side.commit({ message: "side" })).commit;
    expect((await b.log({ ref: "side", limit: 1 }))[0].id).toBe(sideHead);
    expect((await b.log({ limit: 1 }))[0].id).toBe(r.commit);
  });

  it("prove(key, { at }) proves the value at an older commit", async () => {
    const s = await store();
    s.k = 1;
    const c1 = (await s.commit()).commit;
    s.k = 2;
    await s.commit();
    const p = await s.prove("k", { at: c1 });
    expect([p.commit, p.present, p.value]).toEqual([c1, true, 1]);
    expect(p.root).toBe((await s.at(c1)).root);
    expect(verifyProof(p)).toBe(true);
    expect(verifyProof(JSON.parse(JSON.stringify(p)))).toBe(true);
    expect(verifyProof({ ...p, value: 2 })).toBe(false);
    expect((await s.prove("k")).value).toBe(2);
  });

  it("identical values are stored once, across keys, commits and branches", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    const countValues = async () => {
      let n = 0;
      for await (const _ of backend.keys("v/")) n++;
      return n;
    };
    s.a = { same: true };
    s.b = { same: true };
    await s.commit();
    const afterFirst = await countValues();
    expect(afterFirst).toBe(1);
    s.c = { same: true };
    await s.commit();
    const dev = await s.createBranch("dev");
    dev.d = { same: true };
    await dev.commit();
    s.e = { same: true };
    await s.commit();
    expect(await countValues()).toBe(1);
    s.f = { same: false };
    await s.commit();
    expect(await countValues()).toBe(2);
  });
});
