import { describe, expect, it } from "vitest";
import { store, MemoryStore, MergeConflict, KeyError, RefError, FormatError, CodecError, NotSupportedError, DELETE, verifyProof, type KVStore } from "kvgit";
import { CountingStore } from "../support/counting-store.ts";

const counterFn = (b: number | undefined, o: number | undefined, t: number | undefined) => (o ?? 0) + (t ?? 0) - (b ?? 0);

describe("Staged: dict semantics", () => {
  it("reads and writes through the Proxy like a dict", async () => {
    const s = await store();
    s["user"] = { name: "alice" };
    s.score = 1;
    expect(s.user).toEqual({ name: "alice" });
    expect("score" in s).toBe(true);
    expect("nope" in s).toBe(false);
    expect(s.nope).toBeUndefined();
    expect(Object.keys(s)).toEqual(["score", "user"]);
    expect({ ...s }).toEqual({ score: 1, user: { name: "alice" } });
    delete s.score;
    expect(s.has("score")).toBe(false);
    expect((s as any).then).toBeUndefined();
    expect([...s]).toEqual(["user"]);
  });

  it("reaches keys named like API members only through get/set", async () => {
    const s = await store();
    expect(() => {
      (s as any).commit = 1;
    }).toThrow(TypeError);
    expect(() => {
      (s as any).commit = 1;
    }).toThrow(/use store\.set\("commit"/);
    s.set("commit", 5);
    expect(s.get("commit")).toBe(5);
    expect(typeof s.commit).toBe("function");
    await s.commit();
    expect(s.get("commit")).toBe(5);
  });

  it("implements get/getMany/has/keys/values/entries/size/remove/delete", async () => {
    const s = await store();
    s.set("b", 2).set("a", 1).set("c", 3);
    await s.commit();
    s.set("d", 4);
    s.delete("a");
    expect(s.get("a", "dflt")).toBe("dflt");
    expect(s.getMany(["a", "b", "d", "zz"])).toEqual({ b: 2, d: 4 });
    expect(s.keys()).toEqual(["b", "c", "d"]);
    expect(s.values()).toEqual([2, 3, 4]);
    expect(s.entries()).toEqual([["b", 2], ["c", 3], ["d", 4]]);
    expect(s.size).toBe(3);
    expect(s.isStaged("a")).toBe(true);
    expect(s.isStaged("c")).toBe(false);
    expect(s.delete("zz")).toBe(false);
    expect(() => s.remove("zz")).toThrow(KeyError);
    s.remove("b");
    expect(s.has("b")).toBe(false);
    s.reset();
    expect(s.keys()).toEqual(["a", "b", "c"]);
    expect(s.hasChanges).toBe(false);
  });

  it("rejects non-string and empty keys with a TypeError naming the key", async () => {
    const s = await store();
    expect(() => s.set("", 1)).toThrow(TypeError);
    expect(() => s.set(42 as any, 1)).toThrow(/number 42/);
    expect(() => s.get(undefined as any)).toThrow(TypeError);
    expect(() => s.set("bad\ud800", 1)).toThrow(/lone surrogate/);
  });
});

describe("Staged: commits", () => {
  it("commits nothing as no_op, then fast-forwards, and keeps history", async () => {
    const s = await store();
    const first = s.currentCommit;
    expect((await s.commit()).strategy).toBe("no_op");
    s.x = 1;
    const r = await s.commit({ message: "one", info: { by: "test" } });
    expect(r).toMatchObject({ merged: true, strategy: "fast_forward", autoMergedKeys: [], carriedKeys: [] });
    expect(s.currentCommit).toBe(r.commit);
    expect(await s.parents()).toEqual([first]);
    expect(await s.commitInfo()).toMatchObject({ id: r.commit, message: "one", info: { by: "test" } });
    expect(await s.initialCommit()).toBe(first);
    expect((await s.commit({ message: "empty but annotated" })).strategy).toBe("fast_forward");
  });

  it("treats rewriting identical bytes as no change, and set-then-remove as the last action (§5.2, §5.3)", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.k = { a: 1 };
    await s.commit();
    s.k = { a: 1 };
    expect((await s.commit()).strategy).toBe("no_op");
    s.tmp = 1;
    s.delete("tmp");
    expect(s.hasChanges).toBe(false);
    expect((await s.commit()).strategy).toBe("no_op");
    s.k = 2;
    s.delete("k");
    await s.commit();
    expect(s.has("k")).toBe(false);
    // ... and in storage alike: another store object on the backend agrees.
    expect((await store({ backend })).has("k")).toBe(false);
  });

  it("commits only the named keys in a partial commit", async () => {
    const s = await store();
    s.a = 1;
    s.b = 2;
    await s.commit({ keys: ["a"] });
    expect(s.isStaged("b")).toBe(true);
    expect(s.isStaged("a")).toBe(false);
    expect(await s.peek("a")).toBe(1);
    expect(await s.peek("b")).toBeUndefined();
  });

  it("merges concurrent writers three-way, counters adding up even with equal bytes on both sides", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    a.n = 10;
    await a.commit();
    const b = await store({ backend });
    for (const s of [a, b]) s.setMergeFn("n", counterFn);
    a.n = 11;
    a.onlyA = "a";
    b.n = 11;
    b.onlyB = "b";
    expect((await a.commit()).strategy).toBe("fast_forward");
    const r = await b.commit();
    expect(r.strategy).toBe("three_way");
    expect(r.autoMergedKeys).toEqual(["n"]);
    expect(r.carriedKeys).toEqual(["onlyA"]);
    expect(b.n).toBe(12);
    expect(b.onlyA).toBe("a");
    await a.refresh();
    expect(a.n).toBe(12);
    expect(await a.parents()).toHaveLength(2);
  });

  it("takes identical changes without a merge function and raises MergeConflict for different ones, changing nothing", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    const b = await store({ backend });
    a.same = "x";
    b.same = "x";
    await a.commit();
    expect((await b.commit()).strategy).toBe("three_way");
    a.k = "from-a";
    await a.commit();
    b.k = "from-b";
    const before = b.currentCommit;
    const err = await b.commit().catch((e) => e);
    expect(err).toBeInstanceOf(MergeConflict);
    expect(err.conflictingKeys).toEqual(["k"]);
    expect(err.conflicts).toEqual([{ key: "k", base: undefined, ours: "from-b", theirs: "from-a" }]);
    expect(err.code).toBe("MERGE_CONFLICT");
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({ code: "MERGE_CONFLICT", data: { conflictingKeys: ["k"] } });
    expect(b.currentCommit).toBe(before);
    expect(b.k).toBe("from-b");
    expect(b.isStaged("k")).toBe(true);
    const abandoned = await b.commit({ onConflict: "abandon" });
    expect(abandoned.merged).toBe(false);
    expect(b.k).toBe("from-b");
    // A per-call merge function settles it.
    const settled = await b.commit({ mergeFns: { k: (_b, o, t) => `${t}+${o}` } });
    expect(settled.merged).toBe(true);
    expect(b.k).toBe("from-a+from-b");
  });

  it("reports a throwing merge function in mergeErrors and one returning garbage as a conflict, store unchanged", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    const b = await store({ backend });
    a.k = 1;
    await a.commit();
    b.k = 2;
    b.setMergeFn("k", () => {
      throw new Error("boom");
    });
    const before = b.currentCommit;
    const err = await b.commit().catch((e) => e);
    expect(err).toBeInstanceOf(MergeConflict);
    expect(err.mergeErrors.k.message).toBe("boom");
    expect(b.currentCommit).toBe(before);
    b.setMergeFn("k", () => () => "a function cannot be encoded");
    const err2 = await b.commit().catch((e) => e);
    expect(err2).toBeInstanceOf(MergeConflict);
    expect(err2.mergeErrors.k).toBeInstanceOf(CodecError);
    expect(b.currentCommit).toBe(before);
    expect(b.k).toBe(2);
  });

  it("a merge function returning DELETE removes the key; defaults and precedence apply", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    const b = await store({ backend });
    a.k = 1;
    a.j = 1;
    await a.commit();
    b.k = 2;
    b.j = 2;
    b.setDefaultMerge(() => DELETE);
    b.setMergeFn("j", (_b, o, t) => o + t);
    await b.commit();
    expect(b.has("k")).toBe(false);
    expect(b.j).toBe(3);
  });

  it("fails a commit whose value the codec cannot encode, naming the key, writing nothing", async () => {
    const backend = new CountingStore(new MemoryStore());
    const s = await store({ backend });
    s.ok = 1;
    s.bad = () => 1;
    const head = s.currentCommit;
    const writes = backend.writes;
    const err = await s.commit().catch((e) => e);
    expect(err).toBeInstanceOf(CodecError);
    expect(err.key).toBe("bad");
    expect(err.message).toContain('"bad"');
    expect(backend.writes).toBe(writes);
    expect(s.currentCommit).toBe(head);
    expect(s.isStaged("ok")).toBe(true);
  });

  it("lands every commit of many concurrent writers on one branch in one process", async () => {
    const backend = new MemoryStore();
    const writers = await Promise.all(Array.from({ length: 8 }, () => store({ backend })));
    for (const w of writers) w.setMergeFn("total", counterFn);
    await Promise.all(
      writers.map(async (w, i) => {
        for (let j = 0; j < 15; j++) {
          w.set(`w${i}/k${j}`, j);
          w.total = (w.get("total", 0) as number) + 1;
          await w.commit();
        }
      }),
    );
    const check = await store({ backend });
    expect(check.total).toBe(120);
    expect(check.keys().filter((k) => k.startsWith("w"))).toHaveLength(120);
  });
});

describe("Staged: branches and refs", () => {
  it("creates, lists, checks out, switches, peeks and deletes branches", async () => {
    const s = await store();
    s.score = 0;
    await s.commit({ message: "seed" });
    const dev = await s.createBranch("dev");
    dev.score = 999;
    await dev.commit();
    expect(s.score).toBe(0);
    expect(dev.score).toBe(999);
    expect(await s.listBranches()).toEqual(["dev", "main"]);
    expect(await s.peek("score", { branch: "dev" })).toBe(999);
    await expect(s.createBranch("dev")).rejects.toBeInstanceOf(RefError);
    const co = await s.checkout("dev");
    expect(co!.score).toBe(999);
    expect(co!.currentBranch).toBe("dev");
    const detached = await s.checkout(s.currentCommit);
    expect(detached!.currentBranch).toBeNull();
    detached!.x = 1;
    await expect(detached!.commit()).rejects.toBeInstanceOf(NotSupportedError);
    const made = await s.checkout(s.currentCommit, { branch: "from-seed" });
    expect(made!.currentBranch).toBe("from-seed");
    await s.switchBranch("dev");
    expect(s.score).toBe(999);
    await expect(s.deleteBranch("dev")).rejects.toBeInstanceOf(RefError);
    await s.switchBranch("main");
    await s.deleteBranch("dev");
    expect(await s.listBranches()).toEqual(["from-seed", "main"]);
    // A writer still on the deleted branch cannot bring it back.
    dev.score = 1;
    await expect(dev.commit()).rejects.toBeInstanceOf(RefError);
    expect(await s.listBranches()).toEqual(["from-seed", "main"]);
  });

  it("resolves branch names, full ids, unique 7+ prefixes and ~N; unknown and ambiguous refs are RefErrors", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.v = 1;
    const c1 = (await s.commit()).commit;
    s.v = 2;
    const c2 = (await s.commit()).commit;
    expect((await s.commitInfo("main")).id).toBe(c2);
    expect((await s.commitInfo(c1)).id).toBe(c1);
    expect((await s.commitInfo(c1.slice(0, 7))).id).toBe(c1);
    expect((await s.commitInfo("main~1")).id).toBe(c1);
    await expect(s.commitInfo("nope")).rejects.toBeInstanceOf(RefError);
    await expect(s.commitInfo("0000000")).rejects.toThrow(/unknown ref "0000000"/);
    await expect(s.at("deadbeefdeadbeefdeadbeefdeadbeefdeadbeef")).rejects.toBeInstanceOf(RefError);
    // Two commits sharing a prefix make that prefix ambiguous.
    await backend.set("c/abcdef0111111111111111111111111111111111", new Uint8Array([0x80]));
    await backend.set("c/abcdef0222222222222222222222222222222222", new Uint8Array([0x80]));
    await expect(s.commitInfo("abcdef0")).rejects.toThrow(/ambiguous/);
  });

  it("resetTo moves the branch by CAS and reports a lost race", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.v = 1;
    const c1 = (await s.commit()).commit;
    s.v = 2;
    await s.commit();
    expect(await s.resetTo(c1)).toBe(true);
    expect(s.v).toBe(1);
    const other = await store({ backend });
    other.v = 3;
    await other.commit();
    expect(await s.resetTo(c1)).toBe(false);
    expect(s.v).toBe(1);
    expect(await other.peek("v")).toBe(3);
  });

  it("merges branches: fast-forward, three-way with merge functions, conflicts and resolutions; tryMerge writes nothing", async () => {
    const s = await store();
    s.flag = false;
    s.hits = 0;
    await s.commit();
    const feat = await s.createBranch("feature");
    feat.flag = true;
    await feat.commit();
    expect((await s.merge("feature")).strategy).toBe("fast_forward");
    expect(s.flag).toBe(true);
    const f2 = await s.createBranch("f2");
    s.setMergeFn("hits", counterFn);
    f2.hits = 5;
    f2.x = "f2";
    await f2.commit();
    s.hits = 2;
    await s.commit();
    const r = await s.merge("f2");
    expect(r.strategy).toBe("three_way");
    expect(s.hits).toBe(7);
    expect(s.x).toBe("f2");
    const f3 = await s.createBranch("f3");
    f3.flag = "theirs";
    await f3.commit();
    s.flag = "ours";
    await s.commit();
    const head = s.currentCommit;
    const t = await s.tryMerge("f3");
    expect(t).toEqual({ ok: false, conflicts: [{ key: "flag", base: true, ours: "ours", theirs: "theirs" }] });
    expect(s.currentCommit).toBe(head);
    await expect(s.merge("f3")).rejects.toBeInstanceOf(MergeConflict);
    await expect(s.merge("no-such-branch")).rejects.toBeInstanceOf(RefError);
    await s.merge("f3", { resolution: "theirs" });
    expect(s.flag).toBe("theirs");
  });
});

describe("Staged: history, diff, time travel, proofs", () => {
  it("walks history, logs, diffs, and tracks a key's history", async () => {
    const s = await store();
    const ids: string[] = [s.currentCommit];
    for (let i = 0; i < 5; i++) {
      s.h = i;
      if (i === 2) s.other = "x";
      ids.push((await s.commit({ message: `c${i}` })).commit);
    }
    const hist: string[] = [];
    for await (const id of s.history()) hist.push(id);
    expect(hist).toEqual([...ids].reverse());
    expect((await s.log({ limit: 2 })).map((c) => c.message)).toEqual(["c4", "c3"]);
    expect(await s.diff(ids[2], ids[5])).toEqual({ added: ["other"], removed: [], modified: ["h"] });
    expect((await s.keyHistory("other")).map((c) => c.message)).toEqual(["c2"]);
    expect((await s.keyHistory("h")).map((c) => c.message)).toEqual(["c4", "c3", "c2", "c1", "c0"]);
  });

  it("lists all parents in topological order", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    const b = await store({ backend });
    a.x = 1;
    await a.commit();
    b.y = 1;
    const merge = await b.commit();
    const all: string[] = [];
    for await (const id of b.history(undefined, { allParents: true })) all.push(id);
    expect(all[0]).toBe(merge.commit);
    expect(all).toHaveLength(3);
    expect(new Set(all).size).toBe(3);
  });

  it("at(ref) reads any commit; equal contents give equal roots on any store", async () => {
    const s = await store();
    s.a = 1;
    const c1 = (await s.commit()).commit;
    s.a = 2;
    s.b = 3;
    await s.commit();
    const snap = await s.at(c1);
    expect(await snap.get("a")).toBe(1);
    expect(await snap.has("b")).toBe(false);
    expect(await snap.keys()).toEqual(["a"]);
    const other = await store();
    other.b = 3;
    other.a = 2;
    await other.commit();
    expect((await other.at("main")).root).toBe((await s.at("main")).root);
  });

  it("proves inclusion and absence; any altered field fails; malformed input is false", async () => {
    const s = await store();
    for (let i = 0; i < 200; i++) s.set(`k${i}`, { i });
    await s.commit();
    const proof = await s.prove("k42");
    expect(proof.present).toBe(true);
    expect(proof.value).toEqual({ i: 42 });
    const json = JSON.parse(JSON.stringify(proof));
    expect(verifyProof(json)).toBe(true);
    expect(verifyProof({ ...json, value: { i: 43 } })).toBe(false);
    expect(verifyProof({ ...json, key: "k43" })).toBe(false);
    expect(verifyProof({ ...json, present: false })).toBe(false);
    expect(verifyProof({ ...json, root: "0".repeat(40) })).toBe(false);
    expect(verifyProof({ ...json, path: json.path.slice(1) })).toBe(false);
    const absent = await s.prove("nope");
    expect(absent.present).toBe(false);
    expect(verifyProof(absent)).toBe(true);
    expect(verifyProof({ ...absent, present: true })).toBe(false);
    for (const bad of [null, 1, "x", {}, { version: 1 }, { ...json, path: "x" }, { ...json, path: ["!!"] }]) expect(verifyProof(bad)).toBe(false);
  });
});

describe("Staged: storage safety", () => {
  it("refuses foreign data and newer formats, writing nothing", async () => {
    const foreign = new MemoryStore();
    await foreign.set("someone-else", new Uint8Array([1]));
    await expect(store({ backend: foreign })).rejects.toBeInstanceOf(FormatError);
    expect(foreign.stats().entries).toBe(1);
    const newer = new MemoryStore();
    await newer.set("kvgit", new TextEncoder().encode(JSON.stringify({ format: "kvgit", version: 99 })));
    await expect(store({ backend: newer })).rejects.toThrow(/newer/);
    expect(newer.stats().entries).toBe(1);
    const older = new MemoryStore();
    await older.set("kvgit", new TextEncoder().encode(JSON.stringify({ format: "kvgit", version: 1 })));
    await older.set("h/main", new TextEncoder().encode("a".repeat(40)));
    await expect(store({ backend: older })).rejects.toThrow(/format 1, written by a pre-release/);
    expect(older.stats().entries).toBe(2);
  });

  it("never writes on reads", async () => {
    const backend = new CountingStore(new MemoryStore());
    const s = await store({ backend });
    s.a = 1;
    const c = (await s.commit()).commit;
    await s.createBranch("dev");
    const before = backend.writes;
    s.a;
    s.keys();
    await s.peek("a", { branch: "dev" });
    await s.log();
    await s.diff(c, "dev");
    await (await s.at(c)).get("a");
    await s.prove("a");
    await s.listBranches();
    await s.refresh();
    const reader = await store({ backend: backend as KVStore });
    reader.a;
    expect(backend.writes).toBe(before);
  });

  it("resolves a criss-cross history with a virtual merge base, so counters stay exact", async () => {
    const backend = new MemoryStore();
    const main = await store({ backend });
    main.setMergeFn("n", counterFn);
    main.n = 10;
    await main.commit();
    const other = await main.createBranch("other");
    other.setMergeFn("n", counterFn);
    main.n = 11; // +1
    await main.commit();
    other.n = 12; // +2
    await other.commit();
    // Criss-cross: each side merges the other's pre-merge commit.
    const mainTip = main.currentCommit;
    const otherTip = other.currentCommit;
    await main.merge(otherTip);
    await other.merge(mainTip);
    expect(main.n).toBe(13);
    expect(other.n).toBe(13);
    main.n = (main.n as number) + 1; // +1
    await main.commit();
    other.n = (other.n as number) + 5; // +5
    await other.commit();
    await main.merge("other");
    expect(main.n).toBe(10 + 1 + 2 + 1 + 5);
  });
});

describe("branch deletion goes through CAS", () => {
  it("a half-finished delete (tombstone left behind) reads as absent and the name can be reused", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    await s.createBranch("gone");
    await backend.set("h/gone", new Uint8Array(0)); // as if a deleter crashed after its CAS
    expect(await s.listBranches()).toEqual(["main"]);
    await expect(s.checkout("gone")).rejects.toBeInstanceOf(RefError);
    const again = await s.createBranch("gone");
    expect(again.currentBranch).toBe("gone");
    expect(await s.listBranches()).toEqual(["gone", "main"]);
    await s.deleteBranch("gone");
    expect(await s.listBranches()).toEqual(["main"]);
    expect(await backend.has("h/gone")).toBe(false);
  });
});
