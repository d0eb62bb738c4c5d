import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Packr } from "msgpackr";
import { store, MemoryStore, type Staged } from "kvgit";
import { Versioned } from "../../src/versioned/versioned.ts";
import { decodeCommit, encodeCommit, MAX_INFO_DEPTH, plainCommitInfo } from "../../src/versioned/commit-object.ts";
import type { MergeResolver } from "../../src/versioned/three-way-merge.ts";
import { hashHex } from "../../src/objects/hash.ts";
import { runScript } from "../support/spawn.ts";
import { shapeOf } from "../support/value-shape.ts";

const READER = new URL("./fixtures/commit-info-reader.ts", import.meta.url);
const tmp = mkdtempSync(join(tmpdir(), "kvgit-info-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const A = "a".repeat(40);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const noMerge: MergeResolver = { has: () => false, resolve: () => null };

/** Every key of the backend with its bytes: to show a rejected commit wrote nothing. */
async function dump(kv: MemoryStore): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const k of kv.keys()) out.set(k, hex((await kv.get(k))!));
  return out;
}

function richInfo() {
  return { by: "ada", run: { id: 7, ok: true, score: -0.5, tags: ["a", "b"], none: null }, nested: [[1, 2], { deep: { x: "y" } }], empty: {}, list: [] as unknown[] };
}

describe("commit info is the same in every process, and immutable", () => {
  it("a second store on the same backend (fresh cache) reads exactly what the writer reads", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.a = 1;
    const info = richInfo();
    const r = await s.commit({ message: "m", info });
    const writer = await s.commitInfo(r.commit);
    const fresh = await store({ backend });
    const reader = await fresh.commitInfo(r.commit);
    expect(reader).toStrictEqual(writer);
    expect(writer.info).toStrictEqual(richInfo());
    expect((await fresh.log({ limit: 1, ref: r.commit }))[0]).toStrictEqual((await s.log({ limit: 1, ref: r.commit }))[0]);
  });

  it("the engine caches the info as decoded from the bytes, not the caller's object", async () => {
    const kv = new MemoryStore();
    const v1 = await Versioned.open(kv);
    const base = await v1.ensureBranch("main");
    const info = { when: 1, who: { name: "ada" } };
    const out = await v1.commit({ branch: "main", base, changes: new Map(), message: "x", info, resolver: noMerge });
    const mine = await v1.getCommit(out.commit);
    expect(mine.info).not.toBe(info);
    expect(Object.isFrozen(mine.info)).toBe(true);
    const v2 = await Versioned.open(kv);
    const theirs = await v2.getCommit(out.commit);
    expect(theirs.info).toStrictEqual(mine.info);
    expect(theirs.message).toBe(mine.message);
  });

  it("mutating the caller's info after commit() changes nothing anyone reads", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.a = 1;
    const info = richInfo();
    const r = await s.commit({ info });
    info.by = "mallory";
    info.run.tags.push("c");
    (info.nested[1] as { deep: { x: string } }).deep.x = "z";
    (info as Record<string, unknown>).added = true;
    expect((await s.commitInfo(r.commit)).info).toStrictEqual(richInfo());
    expect((await s.log({ limit: 1 }))[0].info).toStrictEqual(richInfo());
    expect((await (await store({ backend })).commitInfo(r.commit)).info).toStrictEqual(richInfo());
  });

  it("the info read back is deep-frozen: mutating it throws and changes nothing", async () => {
    const s = await store();
    s.a = 1;
    const r = await s.commit({ info: richInfo() });
    const got = (await s.commitInfo()).info as ReturnType<typeof richInfo>;
    expect(Object.isFrozen(got)).toBe(true);
    expect(Object.isFrozen(got.run.tags)).toBe(true);
    expect(() => {
      got.by = "x";
    }).toThrow(TypeError);
    expect(() => got.run.tags.push("c")).toThrow(TypeError);
    expect(() => {
      (got.nested[1] as { deep: { x: string } }).deep.x = "z";
    }).toThrow(TypeError);
    expect((await s.commitInfo(r.commit)).info).toStrictEqual(richInfo());
  });

  it("a second OS process reads the same message and info (types included) as the writer", async () => {
    const spec = { kind: "disk" as const, path: mkdtempSync(join(tmp, "disk-")) };
    const s = await store(spec);
    s.a = 1;
    const info = { ...richInfo(), big: 2 ** 40, frac: 0.1, negZero: -0, text: "héllo ✓ 😀" };
    const r = await s.commit({ message: "from the writer ✓", info });
    info.by = "changed after commit";
    const mine = await s.commitInfo(r.commit);
    expect(mine.info).toMatchObject({ by: "ada", negZero: 0 });
    expect(Object.is((mine.info as { negZero: number }).negZero, 0)).toBe(true); // -0 is stored as 0
    const out = JSON.parse(await runScript(READER, [JSON.stringify(spec), r.commit])) as { message: string; info: unknown; shape: unknown };
    expect(out.message).toBe(mine.message);
    expect(out.info).toStrictEqual(JSON.parse(JSON.stringify(mine.info)));
    expect(out.shape).toStrictEqual(JSON.parse(JSON.stringify(shapeOf(mine.info))));
    await s.close();
  }, 60_000);
});

describe("commit info must be plain JSON-like data", () => {
  class Point {
    x = 1;
  }
  const cyclic: Record<string, unknown> = { a: {} };
  (cyclic.a as Record<string, unknown>).back = cyclic;
  const withExtra = Object.assign([1, 2], { extra: true });
  let deep: Record<string, unknown> = {};
  for (let i = 0; i < MAX_INFO_DEPTH + 5; i++) deep = { d: deep };
  const bad: [string, unknown, RegExp][] = [
    ["Map", { m: new Map([["x", 1]]) }, /^info\.m is a Map; commit info must be plain JSON-like data/],
    ["Set", { s: new Set([1]) }, /^info\.s is a Set;/],
    ["Date", { when: new Date(0) }, /^info\.when is a Date;/],
    ["function", { f: () => 1 }, /^info\.f is a function;/],
    ["symbol", { s: Symbol("s") }, /^info\.s is a symbol;/],
    ["bigint", { n: 1n }, /^info\.n is a bigint;/],
    ["undefined", { u: undefined }, /^info\.u is undefined;/],
    ["NaN", { n: NaN }, /^info\.n is NaN;/],
    ["Infinity", { list: [1, -Infinity] }, /^info\.list\[1\] is -Infinity;/],
    ["class instance", { p: new Point() }, /^info\.p is a Point;/],
    ["typed array", { b: new Uint8Array(2) }, /^info\.b is a Uint8Array;/],
    ["RegExp", { r: /x/ }, /^info\.r is a RegExp;/],
    ["sparse array", { a: [1, , 3] }, /^info\.a\[1\] is a hole in a sparse array;/],
    ["array with a property", { a: withExtra }, /^info\.a is an array with a non-index property "extra";/],
    ["cycle", cyclic, /^info\.a\.back is a circular reference;/],
    ["__proto__ key", JSON.parse('{"x": {"__proto__": {"polluted": true}}}'), /^info\.x has the key "__proto__", which cannot be stored;/],
    ["lone surrogate value", { s: "a\ud800" }, /^info\.s contains a lone surrogate;/],
    ["lone surrogate key", { ["k\udc00"]: 1 }, /the key contains a lone surrogate;/],
    ["odd key path", { "a b": { c: new Map() } }, /^info\["a b"\]\.c is a Map;/],
    ["symbol key", { [Symbol("t")]: 1 }, /^info has a symbol key \(Symbol\(t\)\);/],
    ["too deep", deep, new RegExp(`nests more than ${MAX_INFO_DEPTH} levels deep`)],
    ["top-level array", [1], /^info must be a plain object or undefined, got an array;/],
    ["top-level null", null, /^info must be a plain object or undefined, got null;/],
    ["top-level string", "hi", /^info must be a plain object or undefined, got string "hi";/],
    ["top-level Map", new Map(), /^info is a Map;/],
    ["custom prototype", { o: Object.create({ inherited: 1 }) }, /^info\.o is an object with a custom prototype;/],
  ];

  for (const [name, info, message] of bad) {
    it(`rejects ${name} with a TypeError naming the path`, () => {
      expect(() => plainCommitInfo(info)).toThrow(TypeError);
      expect(() => plainCommitInfo(info)).toThrow(message);
    });
  }

  it("accepts null-prototype objects, nesting up to the limit, and all JSON-like values", () => {
    const nul = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(plainCommitInfo({ nul })).toStrictEqual({ nul: { a: 1 } });
    let ok: Record<string, unknown> = {};
    for (let i = 0; i < MAX_INFO_DEPTH - 1; i++) ok = { d: ok };
    expect(() => plainCommitInfo(ok)).not.toThrow();
    expect(plainCommitInfo(richInfo())).toStrictEqual(richInfo());
  });

  it("encodeCommit checks too, so no caller of the engine can store bad annotations", () => {
    const fields = { root: A, parents: [], generation: 1, depth: 1, lineJumps: [], changeSummary: [new Uint32Array(0)], time: 0 };
    expect(() => encodeCommit({ ...fields, info: { m: new Map() } })).toThrow(/^info\.m is a Map/);
    expect(() => encodeCommit({ ...fields, message: 42 as unknown as string })).toThrow(/^message must be a string or undefined, got number 42/);
  });
});

describe("commit message must be a string", () => {
  for (const [name, message, expected] of [
    ["a number", 42, /^message must be a string or undefined, got number 42$/],
    ["null", null, /^message must be a string or undefined, got null$/],
    ["an object", { text: "m" }, /^message must be a string or undefined, got an object$/],
    ["a String object", new String("m"), /^message must be a string or undefined, got a String$/],
    ["a lone surrogate", "a\ud800", /^message contains a lone surrogate/],
  ] as [string, unknown, RegExp][]) {
    it(`rejects ${name} with a TypeError naming message`, async () => {
      const s = await store();
      s.a = 1;
      await expect(s.commit({ message: message as string })).rejects.toThrow(TypeError);
      await expect(s.commit({ message: message as string })).rejects.toThrow(expected);
    });
  }

  it("a numeric message is not silently turned into a string", async () => {
    const s = await store();
    s.a = 1;
    await expect(s.commit({ message: 42 as unknown as string })).rejects.toThrow(TypeError);
    expect(s.isStaged("a")).toBe(true);
  });
});

describe("a rejected commit changes nothing", () => {
  async function expectUntouched(s: Staged, backend: MemoryStore, attempt: () => Promise<unknown>, pattern: RegExp): Promise<void> {
    const before = { commit: s.currentCommit, base: s.baseCommit, staged: s.isStaged("a"), a: s.get("a"), backend: await dump(backend), head: await s.commitInfo("main") };
    await expect(attempt()).rejects.toThrow(pattern);
    expect({ commit: s.currentCommit, base: s.baseCommit, staged: s.isStaged("a"), a: s.get("a"), backend: await dump(backend), head: await s.commitInfo("main") }).toStrictEqual(before);
  }

  it("commit() with bad info or message: same currentCommit, same staged changes, nothing written", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.base = 0;
    await s.commit({ message: "seed" });
    s.a = 2;
    await expectUntouched(s, backend, () => s.commit({ message: "ok", info: { when: new Date() } }), /^info\.when is a Date/);
    await expectUntouched(s, backend, () => s.commit({ message: 42 as unknown as string }), /^message must be a string/);
    // Nothing staged: still rejected (an annotated empty commit would otherwise be made).
    const t = await store({ backend });
    await expect(t.commit({ info: { f: () => 1 } })).rejects.toThrow(/^info\.f is a function/);
    // Another writer moved the head, so the commit would be a three-way merge: still checked first.
    const other = await store({ backend });
    other.b = 1;
    await other.commit();
    await expectUntouched(s, backend, () => s.commit({ info: { s: new Set() } }), /^info\.s is a Set/);
    const r = await s.commit({ message: "fine", info: { by: "ada" } });
    expect(r.merged).toBe(true);
    expect(s.isStaged("a")).toBe(false);
    expect(await s.commitInfo()).toMatchObject({ message: "fine", info: { by: "ada" } });
  });

  it("merge() and rebase() check message and info the same way", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.a = 1;
    await s.commit();
    const dev = await s.createBranch("dev");
    dev.d = 1;
    await dev.commit();
    s.m = 1;
    await s.commit();
    await expectUntouched(s, backend, () => s.merge("dev", { info: { m: new Map() } }), /^info\.m is a Map/);
    await expectUntouched(s, backend, () => s.merge("dev", { message: 7 as unknown as string }), /^message must be a string/);
    await expectUntouched(s, backend, () => s.rebase({ keepKeys: ["a"], info: { n: NaN } }), /^info\.n is NaN/);
    await expectUntouched(s, backend, () => s.rebase({ keepKeys: ["a"], message: 1 as unknown as string }), /^message must be a string/);
    const merged = await s.merge("dev", { message: "merge dev", info: { pr: 12 } });
    expect(await (await store({ backend })).commitInfo(merged.commit)).toStrictEqual(await s.commitInfo(merged.commit));
    expect((await s.commitInfo(merged.commit)).info).toStrictEqual({ pr: 12 });
  });
});

describe("the stored bytes of valid info are unchanged", () => {
  const fields = { root: A, parents: [] as string[], generation: 1, depth: 1, lineJumps: [] as string[], changeSummary: [new Uint32Array(0)], time: 0 };

  it("pins a root commit with info", () => {
    const bytes = encodeCommit({ ...fields, info: { by: "ada" } });
    expect(hex(bytes)).toBe("03" + "01" + "0000000000000000" + A + "00" + "01" + "04" + "01" + "81a26279a3616461");
    expect(decodeCommit("x", bytes).info).toStrictEqual({ by: "ada" });
  });

  it("encodes JSON-like info exactly as the info encoding always did (key order, numbers, nesting)", () => {
    const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true, variableMapSize: true });
    const infos = [richInfo(), { z: 1, a: 2, "1": 3 }, { big: 2 ** 40, neg: -(2 ** 33), f: 1e300, tiny: 5e-324, s: "😀".repeat(40) }, { nul: Object.assign(Object.create(null), { q: [null, false] }) }];
    for (const info of infos) {
      const withInfo = encodeCommit({ ...fields, info });
      const without = encodeCommit(fields);
      const expected = Buffer.concat([without, packr.pack(info)]);
      expected[32] |= 4; // the info flag
      expect(hex(withInfo)).toBe(hex(expected));
      expect(hashHex(withInfo)).toBe(hashHex(expected));
    }
  });

  it("still reads info written before the checks (binary data, Maps stored as objects)", () => {
    const legacy = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true, variableMapSize: true });
    const bytes = Buffer.concat([encodeCommit(fields), legacy.pack({ b: new Uint8Array([1, 2]), m: new Map([["x", 1]]), when: new Date(5) })]);
    bytes[32] |= 4;
    const info = decodeCommit("x", bytes).info as { b: Uint8Array; m: unknown; when: Date };
    expect([...info.b]).toEqual([1, 2]);
    expect(info.m).toStrictEqual({ x: 1 });
    expect(info.when.getTime()).toBe(5);
    expect(Object.isFrozen(info)).toBe(true);
  });
});
