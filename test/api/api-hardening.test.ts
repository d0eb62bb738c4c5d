import { describe, expect, it } from "vitest";
import { ConcurrencyError, MemoryStore, MergeConflict, Namespaced, counter, store } from "kvgit";

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

  it("merge() checks message and info even when it would be a fast-forward", async () => {
    const s = await store();
    s.a = 1;
    await s.commit();
    const dev = await s.createBranch("dev");
    dev.a = 2;
    await dev.commit();
    const head = s.currentCommit;
    await expect(s.merge("dev", { message: 42 as never })).rejects.toThrow(/message/);
    await expect(s.merge("dev", { info: { m: new Map() } as never })).rejects.toThrow(/info\.m is a Map/);
    expect(s.currentCommit).toBe(head);
    expect((await s.merge("dev")).strategy).toBe("fast_forward");
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

  it("initialCommit() and verify(opts) work through a namespace", async () => {
    const s = await store();
    const first = await s.initialCommit();
    s.a = 1;
    await s.commit();
    const ns = s.namespace("ns");
    expect(await ns.initialCommit()).toBe(first);
    let calls = 0;
    expect((await ns.verify({ onProgress: () => calls++ })).ok).toBe(true);
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

  it("merge(..., { resolution: \"ours\" }) keeps this branch's side of a conflict", async () => {
    const s = await store();
    s.k = "base";
    await s.commit();
    const dev = await s.createBranch("dev");
    dev.k = "dev";
    await dev.commit();
    s.k = "main";
    await s.commit();
    const r = await s.merge("dev", { resolution: "ours" });
    expect(r.strategy).toBe("three_way");
    expect(s.k).toBe("main");
  });

  it("lastMergeResult and baseCommit after a three-way commit; log({ ref }); autoMergedKeys and carriedKeys sorted", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    for (const k of ["c3", "c1", "c2"]) a.setContentType(k, counter());
    for (const k of ["c3", "c1", "c2", "z", "y"]) a.set(k, 0);
    await a.commit();
    const b = await store({ backend });
    for (const k of ["c3", "c1", "c2"]) a.set(k, 1);
    a.z = 1;
    a.y = 1;
    const aHead = (await a.commit()).commit;
    for (const k of ["c2", "c3", "c1"]) b.set(k, 2);
    const r = await b.commit({ message: "b" });
    expect(r.strategy).toBe("three_way");
    expect(r.autoMergedKeys).toEqual(["c1", "c2", "c3"]);
    expect(r.carriedKeys).toEqual(["y", "z"]);
    expect(b.lastMergeResult).toEqual(r);
    expect(b.baseCommit).toBe(r.commit);
    expect(b.currentCommit).toBe(r.commit);
    expect([b.c1, b.c2, b.c3]).toEqual([3, 3, 3]);
    const log = await b.log({ ref: aHead });
    expect(log[0].id).toBe(aHead);
    expect((await b.log({ ref: "main", limit: 1 }))[0].message).toBe("b");
  });

  it("prove(key, { at }) proves the value at an older commit", async () => {
    const s = await store();
    s.k = 1;
    const c1 = (await s.commit()).commit;
    s.k = 2;
    await s.commit();
    const p = await s.prove("k", { at: c1 });
    expect([p.commit, p.value]).toEqual([c1, 1]);
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
    s.c = { same: true };
    await s.commit();
    const dev = await s.createBranch("dev");
    dev.d = { same: true };
    await dev.commit();
    expect(await countValues()).toBe(afterFirst);
  });
});
