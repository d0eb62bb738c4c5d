import { describe, expect, it } from "vitest";
import { CodecError, ConcurrencyError, MemoryStore, MergeConflict, NotSupportedError, counter, jsonValue, registerContentType, store, unregisterContentType, type ContentType } from "kvgit";

const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

/** The stored bytes of `key`'s value at the branch head, read through a fresh store object. */
async function storedValueText(backend: MemoryStore, key: string): Promise<string | undefined> {
  const s = await store({ backend });
  const proof = await s.prove(key);
  return proof.valueBytes === undefined ? undefined : text(Buffer.from(proof.valueBytes, "base64"));
}

/** A content type storing strings as "U:" + text (its own encoding); theirs wins by default. */
function prefixedText(name: string, merge: ContentType<string>["merge"] = (_b, o, t) => t ?? o ?? ""): ContentType<string> {
  return {
    name,
    encode: (v) => new TextEncoder().encode(`U:${v}`),
    decode: (b) => new TextDecoder().decode(b).slice(2),
    merge,
  };
}

describe("a content type with its own encoding changes how a key is stored, never how stored bytes read", () => {
  it("attaching jsonValue() to a key that holds a value re-encodes it at the next commit; old commits still read", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.k = { a: 1 };
    const c1 = (await s.commit()).commit;
    s.setContentType("k", jsonValue());
    expect(s.k).toEqual({ a: 1 }); // staged policy edits do not change how committed bytes read
    const c2 = (await s.commit()).commit;
    expect(s.k).toEqual({ a: 1 });
    expect(await storedValueText(backend, "k")).toBe('{"a":1}');
    const fresh = await store({ backend });
    expect(fresh.k).toEqual({ a: 1 });
    expect(await (await fresh.at(c1)).get("k")).toEqual({ a: 1 });
    expect(await (await fresh.at(c2)).get("k")).toEqual({ a: 1 });
    expect(await fresh.diff(c1, c2)).toEqual({ added: [], removed: [], modified: ["k"] });
  });

  it("removing it re-encodes the value with the store's codec; the JSON-era commit still reads", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.setContentType("k", jsonValue());
    s.k = { a: 1 };
    const c1 = (await s.commit()).commit;
    expect(await storedValueText(backend, "k")).toBe('{"a":1}');
    s.setContentType("k", undefined);
    await s.commit();
    expect(s.k).toEqual({ a: 1 });
    expect(await storedValueText(backend, "k")).not.toBe('{"a":1}');
    const fresh = await store({ backend });
    expect(fresh.k).toEqual({ a: 1 });
    expect(await (await fresh.at(c1)).get("k")).toEqual({ a: 1 });
    const proof = await fresh.prove("k", { at: c1 });
    expect(proof.value).toEqual({ a: 1 });
    expect(proof.codec).toBe("json");
  });

  it("a prefix re-encodes every committed key under it, and only those; a partial commit too", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s["doc/1"] = { n: 1 };
    s["doc/2"] = { n: 2 };
    s["other"] = { n: 3 };
    await s.commit();
    s.setContentType("doc/", jsonValue(), { prefix: true });
    s["other"] = { n: 4 };
    await s.commit({ keys: [] }); // commits the policy edit only; "other" stays staged
    expect(await storedValueText(backend, "doc/1")).toBe('{"n":1}');
    expect(await storedValueText(backend, "doc/2")).toBe('{"n":2}');
    expect(await storedValueText(backend, "other")).not.toContain("{");
    expect(s.hasChanges).toBe(true);
    const fresh = await store({ backend });
    expect([fresh["doc/1"], fresh["doc/2"], fresh.other]).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it("a committed value the new encoding cannot hold fails the commit with a CodecError naming the key; nothing changes", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.m = new Map([["a", 1]]);
    const c1 = (await s.commit()).commit;
    s.setContentType("m", jsonValue());
    const err = await s.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodecError);
    expect((err as CodecError).key).toBe("m");
    expect(s.currentCommit).toBe(c1);
    expect(s.hasChanges).toBe(true); // the policy edit is still staged
    expect(s.m).toEqual(new Map([["a", 1]]));
    expect((await store({ backend })).m).toEqual(new Map([["a", 1]]));
    s.setContentType("m", undefined);
    s.m = { a: 1 };
    await s.commit();
  });

  it("a content type with its own encoding cannot be kept to one store object (persist: false)", async () => {
    const s = await store();
    expect(() => s.setContentType("k", jsonValue(), { persist: false })).toThrow(TypeError);
    expect(() => s.setContentType("k", jsonValue(), { persist: false })).toThrow(/own encoding.*persist: false/);
    s.setContentType("c", counter(), { persist: false }); // no encoding of its own: fine
  });

  it("a writer whose key another writer re-encoded meanwhile gets ConcurrencyError, then succeeds after refresh()", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    a.k = { v: 1 };
    a.x = 0;
    await a.commit();
    const b = await store({ backend });
    a.setContentType("k", jsonValue());
    await a.commit();
    b.k = { v: 2 };
    const base = b.currentCommit;
    await expect(b.commit()).rejects.toBeInstanceOf(ConcurrencyError);
    expect(b.currentCommit).toBe(base);
    expect(b.k).toEqual({ v: 2 });
    await b.refresh();
    expect(b.k).toEqual({ v: 1 });
    b.k = { v: 2 };
    await b.commit();
    expect(await storedValueText(backend, "k")).toBe('{"v":2}');
    expect((await store({ backend })).k).toEqual({ v: 2 });
  });

  it("a writer of other keys is not held up by another writer's encoding change", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    a.k = { v: 1 };
    await a.commit();
    const b = await store({ backend });
    a.setContentType("k", jsonValue());
    await a.commit();
    b.y = 5;
    const r = await b.commit();
    expect(r.strategy).toBe("three_way");
    const fresh = await store({ backend });
    expect([fresh.k, fresh.y]).toEqual([{ v: 1 }, 5]);
    expect(await storedValueText(backend, "k")).toBe('{"v":1}');
  });

  it("a merge result is written with the encoding the committed policy gives the key", async () => {
    const upper = prefixedText("test:upper-lww", (_b, ours, theirs) => `${theirs}+${ours}`);
    const backend = new MemoryStore();
    const a = await store({ backend });
    a.setContentType("t", upper);
    a.t = "base";
    await a.commit();
    const b = await store({ backend });
    a.t = "a";
    await a.commit();
    b.t = "b";
    const r = await b.commit();
    expect(r.autoMergedKeys).toEqual(["t"]);
    expect(b.t).toBe("a+b");
    expect(await storedValueText(backend, "t")).toBe("U:a+b");
  });

  it("a merge result is written with the head's encoding when another writer attached the type after this writer's base", async () => {
    const backend = new MemoryStore();
    const w1 = await store({ backend });
    w1.setDefaultMerge(() => ({ n: 9 }));
    w1.set("j/1", { n: 0 });
    await w1.commit();
    const w2 = await store({ backend });
    w2.setContentType("j/", jsonValue(), { prefix: true });
    await w2.commit(); // re-encodes j/1 as JSON
    w1.delete("j/1");
    const r = await w1.commit(); // three-way: the merge function decides j/1
    expect(r.autoMergedKeys).toEqual(["j/1"]);
    expect(w1.get("j/1")).toEqual({ n: 9 });
    const fresh = await store({ backend });
    expect(fresh.get("j/1")).toEqual({ n: 9 });
    expect(await storedValueText(backend, "j/1")).toBe('{"n":9}');
    expect((await fresh.verify()).ok).toBe(true);
  });

  it("a branch merge that would bring in a value encoded differently on the two branches is refused, writing nothing", async () => {
    const backend = new MemoryStore();
    const main = await store({ backend });
    main.k = { v: 1 };
    await main.commit();
    const dev = await main.createBranch("dev");
    dev.setContentType("k", jsonValue());
    dev.k = { v: 2 };
    await dev.commit();
    main.other = 1;
    const head = (await main.commit()).commit;
    const err = await main.merge("dev").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotSupportedError);
    expect((err as Error).message).toMatch(/"k" is stored with the "json" encoding on the source/);
    expect(main.currentCommit).toBe(head);
    expect((await store({ backend })).currentCommit).toBe(head);
    main.setContentType("k", jsonValue());
    await main.commit();
    const r = await main.merge("dev");
    expect(r.merged).toBe(true);
    expect(main.k).toEqual({ v: 2 });
    expect((await store({ backend })).k).toEqual({ v: 2 });
  });

  it("a commit changing encodings that has to merge with another writer's commit is refused: no key of theirs is left in the wrong encoding", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    a["p/a"] = 5;
    await a.commit();
    const b = await store({ backend });
    a.setContentType("p/", jsonValue(), { prefix: true });
    b["p/new"] = { y: 2 };
    await b.commit();
    const base = a.currentCommit;
    const err = await a.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConcurrencyError);
    expect(a.currentCommit).toBe(base);
    expect(a.hasChanges).toBe(true);
    const fresh = await store({ backend });
    expect([fresh["p/a"], fresh["p/new"]]).toEqual([5, { y: 2 }]);
    await a.refresh();
    a.setContentType("p/", jsonValue(), { prefix: true });
    await a.commit();
    const after = await store({ backend });
    expect([after["p/a"], after["p/new"]]).toEqual([5, { y: 2 }]);
    expect(await storedValueText(backend, "p/new")).toBe('{"y":2}');
  });

  it("a key stored with an unregistered type's own encoding is a NotSupportedError to read or write; a merge-only type is not needed", async () => {
    const upper = prefixedText("test:upper-text");
    const mergeOnly: ContentType<string> = { name: "test:merge-only", merge: (_b, o, t) => t ?? o ?? "" };
    const backend = new MemoryStore();
    const a = await store({ backend });
    a.setContentType("t", upper);
    a.setContentType("m", mergeOnly);
    a.t = "abc";
    a.m = "plain";
    await a.commit();
    unregisterContentType("test:upper-text");
    unregisterContentType("test:merge-only");
    try {
      const b = await store({ backend });
      expect(b.m).toBe("plain");
      expect(() => b.t).toThrow(NotSupportedError);
      expect(() => b.t).toThrow(/"test:upper-text".*registerContentType/);
      b.t = "xyz";
      const head = b.currentCommit;
      await expect(b.commit()).rejects.toBeInstanceOf(NotSupportedError);
      expect(b.currentCommit).toBe(head);
      b.delete("t");
      b.m = "still fine";
      await b.commit();
    } finally {
      registerContentType(upper);
      registerContentType(mergeOnly);
    }
    const c = await store({ backend });
    expect([c.t, c.m]).toEqual([undefined, "still fine"]);
  });

  it("peek() and conflict reports read each commit's values with that commit's encodings", async () => {
    const backend = new MemoryStore();
    const main = await store({ backend });
    main.k = "base";
    await main.commit();
    const dev = await main.createBranch("dev");
    dev.setContentType("k", jsonValue());
    dev.k = "hello";
    await dev.commit();
    expect(await main.peek("k", { branch: "dev" })).toBe("hello");
    main.k = "main";
    await main.commit();
    const other = await main.createBranch("other");
    other.setContentType("k", jsonValue());
    await other.commit();
    const err = (await dev.merge("other").catch((e: unknown) => e)) as MergeConflict;
    expect(err).toBeInstanceOf(MergeConflict);
    expect(err.conflicts).toEqual([{ key: "k", base: "base", ours: "hello", theirs: "main" }]);
  });

  it("merge(..., { resolution: \"theirs\" }) re-encodes the source's value for the target; a deletion merges across encodings", async () => {
    const backend = new MemoryStore();
    const main = await store({ backend });
    main.k = "base";
    main.gone = "x";
    await main.commit();
    const dev = await main.createBranch("dev");
    dev.setContentType("k", jsonValue());
    dev.k = { from: "dev" };
    dev.setContentType("gone", jsonValue());
    await dev.commit();
    dev.delete("gone");
    await dev.commit();
    main.k = "main";
    await main.commit();
    const r = await main.merge("dev", { resolution: "theirs" });
    expect(r.autoMergedKeys).toEqual(["k"]);
    expect(main.k).toEqual({ from: "dev" });
    const fresh = await store({ backend });
    expect([fresh.k, fresh.gone]).toEqual([{ from: "dev" }, undefined]);
    expect(await storedValueText(backend, "k")).not.toBe('{"from":"dev"}'); // main's encoding, msgpack
  });

  it("a commit merging onto a branch reset behind its base, with own-encoding types in play, is refused", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.k = 1;
    const c1 = (await s.commit()).commit;
    s.setContentType("k", jsonValue());
    await s.commit();
    const a = await store({ backend });
    const b = await store({ backend });
    expect(await b.resetTo(c1)).toBe(true);
    a.z = 5;
    await expect(a.commit()).rejects.toBeInstanceOf(ConcurrencyError);
    const fresh = await store({ backend });
    expect([fresh.k, fresh.z]).toEqual([1, undefined]);
  });

  it("without a type registered: changing it is refused, and a conflict report and abandon still work", async () => {
    const upper = prefixedText("test:upper-2");
    const backend = new MemoryStore();
    const a = await store({ backend });
    a.setContentType("k", upper);
    a.k = "abc";
    await a.commit();
    const c = await store({ backend });
    unregisterContentType("test:upper-2");
    try {
      const b = await store({ backend });
      b.setContentType("k", undefined);
      await expect(b.commit()).rejects.toThrow(/cannot change the content type of "k".*"test:upper-2".*registerContentType/);
      const d = await store({ backend });
      registerContentType(upper);
      c.k = "new";
      await c.commit();
      unregisterContentType("test:upper-2");
      d.delete("k"); // delete vs modify: a conflict whose sides cannot be decoded here
      const r = await d.commit({ onConflict: "abandon", mergeFns: {} });
      expect(r.merged).toBe(false);
      const err = (await d.commit().catch((e: unknown) => e)) as MergeConflict;
      expect(err).toBeInstanceOf(MergeConflict);
      expect(err.conflicts[0].ours).toBeUndefined();
      expect(err.conflicts[0].theirs).toBeInstanceOf(Uint8Array); // undecodable here: the bytes
    } finally {
      registerContentType(upper);
    }
    expect((await store({ backend })).k).toBe("new");
  });

  it("a policy lists a registered type's own encoding even when attached through another object of that name", async () => {
    const upper = prefixedText("test:upper-3");
    registerContentType(upper);
    const backend = new MemoryStore();
    const a = await store({ backend });
    a.setContentType("k", { name: "test:upper-3", merge: upper.merge });
    a.k = "abc";
    await a.commit();
    expect(await storedValueText(backend, "k")).toBe("U:abc");
    unregisterContentType("test:upper-3");
    try {
      const b = await store({ backend });
      expect(() => b.k).toThrow(NotSupportedError);
    } finally {
      registerContentType(upper);
    }
  });
});
