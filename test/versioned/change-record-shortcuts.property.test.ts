import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { store, MemoryStore, MergeConflict, FormatError, RefError, DELETE, jsonValue, type KVStore, type Staged } from "kvgit";
import { Versioned } from "../../src/versioned/versioned.ts";
import { diffTrees, type KeyDiff } from "../../src/index/keyset-index.ts";
import { hashHex } from "../../src/objects/hash.ts";
import { varintLength } from "../../src/objects/varint.ts";

/*
 * Fuzzer for the shortcuts change records allow (format 3). Over random histories — several writers on
 * one branch (three-way commits against heads that moved by one or several commits),
 * merge functions, side branches merged both ways (criss-cross), resetTo, rebase, content
 * types with their own encoding, a namespace — it checks that
 *  - every shortcut's diff (a writer's own changes, a head's record, #recordedMove's
 *    record, diff()) equals diffTrees of the same two roots, each time it is used;
 *  - running the same history with every shortcut disabled gives the same trace: commit
 *    ids, merge results, conflicts, errors and every store object's contents;
 *  - after every step each store object's view equals a freshly opened store at its commit;
 *  - at the end every commit's record equals diffTrees(parent.root, commit.root), read
 *    by a fresh engine, and verify() passes.
 * Knobs: KVGIT_REVIEW_RUNS (default 60 per backend), KVGIT_REVIEW_BULK (extra keys, for
 * deeper trees), KVGIT_REVIEW_DEBUG (statistics), KVGIT_REVIEW_REPLAY (one history, below).
 */

const control = vi.hoisted(() => ({ disable: false, mismatches: [] as string[], used: { ours: 0, theirs: 0, recorded: 0, diff: 0 } }));

const same = (a: readonly KeyDiff[], b: readonly KeyDiff[]) =>
  a.length === b.length && a.every((d, i) => d.key === b[i].key && d.from === b[i].from && d.to === b[i].to);

vi.mock("../../src/versioned/three-way-merge.ts", async (importOriginal) => {
  const orig = await importOriginal<typeof import("../../src/versioned/three-way-merge.ts")>();
  const { diffTrees: trees } = await import("../../src/index/keyset-index.ts");
  const threeWayMerge: typeof orig.threeWayMerge = async (nodes, objects, batch, t, resolver, policy = "report", known = {}) => {
    if (known.ours) {
      control.used.ours++;
      if (!same(known.ours, await trees(nodes, t.base, t.ours))) control.mismatches.push(`known.ours differs from diffTrees(${t.base}, ${t.ours})`);
    }
    if (known.theirs) {
      control.used.theirs++;
      if (!same(known.theirs, await trees(nodes, t.base, t.theirs))) control.mismatches.push(`known.theirs differs from diffTrees(${t.base}, ${t.theirs})`);
    }
    return orig.threeWayMerge(nodes, objects, batch, t, resolver, policy, control.disable ? {} : known);
  };
  return { ...orig, threeWayMerge };
});

const origRecordedDiff = Versioned.prototype.recordedDiff;
const origDiff = Versioned.prototype.diff;
Versioned.prototype.recordedDiff = async function (this: Versioned, a: string, b: string) {
  const r = await origRecordedDiff.call(this, a, b);
  if (r) {
    control.used.recorded++;
    const [ca, cb] = [await this.getCommit(a), await this.getCommit(b)];
    if (!same(r, await diffTrees(this.nodes, ca.root, cb.root))) control.mismatches.push(`recordedDiff(${a}, ${b}) differs from the trees`);
  }
  return control.disable ? undefined : r;
};
Versioned.prototype.diff = async function (this: Versioned, a: string, b: string) {
  const [ca, cb] = [await this.getCommit(a), await this.getCommit(b)];
  const t = await diffTrees(this.nodes, ca.root, cb.root);
  if (control.disable) return t;
  const r = await origDiff.call(this, a, b);
  control.used.diff++;
  if (!same(r, t)) control.mismatches.push(`diff(${a}, ${b}) differs from the trees`);
  return r;
};

// UTF-16 order differs from UTF-8 order between U+FF00.. and surrogate pairs.
const KEYS = ["a", "b", "m/1", "m/2", "j/1", "j/2", "ｆ", "\uFF00", "😀", "😀x", "\u{10FFFF}", "z"];
const NS_KEYS = ["a", "b", "😀"];

type Write = { key: number; value: number | null };
type Step =
  | { op: "commit"; w: number; writes: Write[] }
  | { op: "refresh"; w: number }
  | { op: "resetTo"; w: number; back: number }
  | { op: "side"; side: number; writes: Write[] }
  | { op: "mergeSide"; w: number; side: number; resolution: number }
  | { op: "sideMergeMain"; side: number }
  | { op: "rebase"; w: number; keep: number[] }
  | { op: "contentType"; w: number; on: boolean; writes: Write[] }
  | { op: "ns"; writes: Write[] };

// KVGIT_REVIEW_BULK=n: the store starts with n more keys ("p/..."), which writes also pick,
// so trees are several levels deep.
const BULK = Number(process.env.KVGIT_REVIEW_BULK ?? 0);
const bulkKey = (i: number) => `p/${(i * 7919) % BULK}`;
const writesArb = fc.array(fc.record({ key: fc.nat(KEYS.length - 1 + (BULK ? 40 : 0)), value: fc.option(fc.nat(3), { freq: 4 }) }), { maxLength: 7, size: "max" });
const w = fc.nat(2);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant("commit" as const), w, writes: writesArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("refresh" as const), w }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("resetTo" as const), w, back: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("side" as const), side: fc.nat(1), writes: writesArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("mergeSide" as const), w, side: fc.nat(1), resolution: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("sideMergeMain" as const), side: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("rebase" as const), w, keep: fc.uniqueArray(fc.nat(KEYS.length - 1), { maxLength: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("contentType" as const), w, on: fc.boolean(), writes: writesArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("ns" as const), writes: writesArb }) },
);

const num = (x: unknown) => (typeof x === "number" ? x : 0);
// Deterministic merge functions: "m/" keys add up; the default (w1 only) keeps ours.
const sum = (b: unknown, o: unknown, t: unknown) => (o === undefined || t === undefined ? DELETE : num(o) + num(t) - num(b));
const valueFor = (key: string, v: number) => (key.startsWith("j/") ? { n: v, tag: key } : v);

function stage(s: Staged, writes: Write[], keys = KEYS): void {
  for (const { key, value } of writes) {
    const k = keys === KEYS && key >= KEYS.length ? bulkKey(key) : keys[key % keys.length];
    if (value === null) s.delete(k);
    else s.set(k, valueFor(k, value));
  }
}

const remoteLike = (inner: MemoryStore): KVStore =>
  new Proxy(inner, { get: (t, p, r) => (p === "getSync" || p === "getSyncParts" || p === "getSyncId" ? undefined : Reflect.get(t, p, r)) });

type Mode = "load" | "index" | "auto";

function contents(s: Staged): string {
  const out: [string, unknown][] = s.keys().map((k) => [k, s.get(k)]);
  const probes = KEYS.concat(NS_KEYS.map((k) => `ns/${k}`)).map((k) => [k, s.has(k), s.get(k, "-")]);
  return JSON.stringify({ size: s.size, out, probes });
}

function kindsOf(trace: string[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (const l of trace) {
    const k = /^\d+ (\w+): (?:\{.*"strategy":"(\w+)"|(\w+))/.exec(l);
    if (k) m[`${k[1]}:${k[2] ?? k[3]}`] = (m[`${k[1]}:${k[2] ?? k[3]}`] ?? 0) + 1;
  }
  return m;
}

async function runHistory(steps: Step[], remote: boolean, modes: Mode[]): Promise<string[]> {
  const inner = new MemoryStore();
  const backend: KVStore = remote ? remoteLike(inner) : inner;
  const trace: string[] = [];
  const open = async (opts: { branch?: string; mode: Mode }) => {
    const s = (await store({ backend, workingCopy: opts.mode, ...(opts.branch ? { branch: opts.branch } : {}) })) as Staged;
    s.setMergeFn("m/1", sum);
    s.setMergeFn("m/2", sum);
    return s;
  };
  const writers: Staged[] = [];
  for (let i = 0; i < 3; i++) writers.push(await open({ mode: modes[i] }));
  if (BULK) {
    for (let i = 0; i < BULK; i++) writers[0].set(`p/${i}`, i);
    await writers[0].commit();
    for (const s of writers) await s.refresh();
  }
  writers[1].setDefaultMerge((_b, o) => o);
  const ns = writers[2].namespace("ns");
  ns.setDefaultMerge((_b, _o, t) => t);
  const sides = new Map<number, Staged>();
  const side = async (n: number) => {
    let s = sides.get(n);
    if (!s) {
      await writers[0].createBranch(`side${n}`, { at: await writers[0].currentCommit });
      s = await open({ branch: `side${n}`, mode: modes[n % modes.length] });
      s.setDefaultMerge((_b, o) => o);
      sides.set(n, s);
    }
    return s;
  };
  const outcome = async (label: string, f: () => Promise<unknown>) => {
    try {
      const r = (await f()) as Record<string, unknown> | boolean | undefined;
      trace.push(`${label}: ${JSON.stringify(r)}`);
    } catch (err) {
      if (err instanceof MergeConflict) trace.push(`${label}: conflict ${JSON.stringify(err.conflicts.map((c) => c.key))}`);
      else trace.push(`${label}: ${(err as Error).constructor.name} ${(err as Error).message}`);
      return false;
    }
    return true;
  };
  const clean = async (s: Staged) => {
    s.reset();
    await s.refresh();
  };

  for (const [i, step] of steps.entries()) {
    const label = `${i} ${step.op}`;
    switch (step.op) {
      case "commit": {
        const s = writers[step.w];
        stage(s, step.writes);
        if (!(await outcome(label, () => s.commit()))) await clean(s);
        break;
      }
      case "refresh":
        await outcome(label, () => writers[step.w].refresh());
        break;
      case "resetTo": {
        const s = writers[step.w];
        await outcome(label, () => s.resetTo(step.back === 0 ? "side0" : `main~${step.back}`));
        break;
      }
      case "side": {
        const s = await side(step.side);
        stage(s, step.writes);
        if (!(await outcome(label, () => s.commit()))) await clean(s);
        break;
      }
      case "mergeSide": {
        await side(step.side);
        const s = writers[step.w];
        const resolution = (["raise", "ours", "theirs"] as const)[step.resolution];
        await outcome(label, () => s.merge(`side${step.side}`, { resolution }));
        break;
      }
      case "sideMergeMain": {
        const s = await side(step.side);
        await outcome(label, () => s.merge("main", { resolution: "ours" }));
        break;
      }
      case "rebase": {
        const s = writers[step.w];
        if (!s.hasChanges) await s.refresh(); // a rebase from a stale base is refused
        await outcome(label, () => s.rebase({ keepKeys: step.keep.map((k) => KEYS[k]) }).then((r) => ({ ...r, orphansCleaned: 0 })));
        break;
      }
      case "contentType": {
        const s = writers[step.w];
        s.setContentType("j/", step.on ? jsonValue() : undefined, { prefix: true });
        stage(s, step.writes);
        if (!(await outcome(label, () => s.commit()))) await clean(s);
        break;
      }
      case "ns": {
        const s = writers[2];
        for (const { key, value } of step.writes) {
          const k = NS_KEYS[key % NS_KEYS.length];
          if (value === null) ns.delete(k);
          else ns.set(k, value);
        }
        if (!(await outcome(label, () => s.commit()))) await clean(s);
        break;
      }
    }
    // Every store object's view equals a freshly opened store at its commit.
    for (const [j, s] of [...writers, ...sides.values()].entries()) {
      if (s.hasChanges) continue;
      let mine: string;
      try {
        mine = contents(s);
      } catch (err) {
        control.mismatches.push(`step ${label}: view ${j} @${s.currentCommit} cannot be read: ${(err as Error).message}`);
        continue;
      }
      trace.push(`  view ${j} @${s.currentCommit}: ${mine}`);
      for (const mode of remote ? (["load", "auto"] as const) : (["load", "index"] as const)) {
        const fresh = (await (await store({ backend, workingCopy: mode, create: false })).checkout(s.currentCommit)) as Staged;
        const theirs = contents(fresh);
        if (theirs !== mine) control.mismatches.push(`step ${label}: view ${j} (${modes[j % 3]}) differs from a fresh ${mode} store at ${s.currentCommit}:\n  ${mine}\n  ${theirs}`);
      }
    }
  }

  // Every commit's record is its trees' diff, read by a fresh engine.
  const v = await Versioned.open(backend);
  const seen = new Set<string>();
  const todo: string[] = [];
  for (const b of ["main", ...[...sides.keys()].map((n) => `side${n}`)]) todo.push(await v.branchHead(b));
  let withRecord = 0;
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const c = await v.getCommit(id);
    todo.push(...c.parents);
    if (c.parents.length === 0) {
      if (c.changes !== undefined) control.mismatches.push(`root commit ${id} has a record`);
      continue;
    }
    const parent = await v.getCommit(c.parents[0]);
    const t = await diffTrees(v.nodes, parent.root, c.root);
    if (c.changes === undefined) control.mismatches.push(`commit ${id} has no record`);
    else if (!same(c.changes, t)) control.mismatches.push(`commit ${id}: record ${JSON.stringify(c.changes)} != trees ${JSON.stringify(t)}`);
    else withRecord++;
    // Both ways round through the public diff (the patched Versioned.diff checks the trees).
    await writers[0].diff(parent.id, id);
    await writers[0].diff(id, parent.id);
  }
  trace.push(`records ${withRecord}`);
  if (process.env.KVGIT_REVIEW_DEBUG) console.log("steps", steps.length, "commits", seen.size, "records", withRecord, JSON.stringify(kindsOf(trace)));
  const report = await writers[0].verify();
  if (!report.ok) control.mismatches.push(`verify: ${report.problems.join("; ")}`);
  return trace;
}

// One fixed time: commit ids then depend only on what happened, so the two runs of a
// history (with and without the shortcuts) can be compared id for id.
beforeEach(() => {
  vi.spyOn(Date, "now").mockImplementation(() => 1_700_000_000_000);
});

const RUNS = Number(process.env.KVGIT_REVIEW_RUNS ?? 60);
const modesArb = fc.tuple(...[0, 1, 2].map(() => fc.constantFrom<Mode>("load", "index", "auto")));

describe("change records under random histories", () => {
  for (const remote of [false, true]) {
    it(`shortcuts equal the trees, and disabling them changes nothing (${remote ? "remote-like" : "memory"} backend)`, async () => {
      control.used = { ours: 0, theirs: 0, recorded: 0, diff: 0 };
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { minLength: 5, maxLength: 50, size: "max" }), modesArb, async (steps, modes0) => {
          const modes = remote ? modes0.map((m) => (m === "index" ? "load" : m)) : modes0;
          control.mismatches = [];
          control.disable = false;
          const withShortcuts = await runHistory(steps, remote, modes);
          expect(control.mismatches).toEqual([]);
          control.disable = true;
          const without = await runHistory(steps, remote, modes);
          control.disable = false;
          expect(control.mismatches).toEqual([]);
          const at = withShortcuts.findIndex((line, i) => line !== without[i]);
          if (at >= 0 || withShortcuts.length !== without.length) {
            expect({ at, steps: JSON.stringify(steps), modes, with: withShortcuts.slice(Math.max(0, at - 6), at + 1), without: without.slice(Math.max(0, at - 6), at + 1) }).toBeUndefined();
          }
        }),
        { numRuns: RUNS },
      );
      // Every shortcut was taken, so the comparison above was not vacuous.
      for (const [shortcut, uses] of Object.entries(control.used)) expect(uses, shortcut).toBeGreaterThan(0);
    }, 60_000 + RUNS * 3_000);
  }
  afterAll(() => {
    // How often each shortcut was exercised (printed for the review).
    if (process.env.KVGIT_REVIEW_DEBUG) console.log("shortcut uses", JSON.stringify(control.used));
  });
});

// Replays one history (a counterexample) with and without the shortcuts: KVGIT_REVIEW_REPLAY=file.json
// holding { steps, modes, remote, disable }.
if (process.env.KVGIT_REVIEW_REPLAY) {
  it("replay", async () => {
    const { readFileSync } = await import("node:fs");
    const { steps, modes, remote, disable } = JSON.parse(readFileSync(process.env.KVGIT_REVIEW_REPLAY!, "utf8"));
    control.mismatches = [];
    control.disable = disable;
    const trace = await runHistory(steps, remote, modes);
    console.log(trace.filter((l) => !l.startsWith(" ") || process.env.KVGIT_REVIEW_VIEWS).join("\n"));
    console.log(control.mismatches.join("\n"));
  });
}

// ---- targeted checks ----------------------------------------------------------------

const utf8 = new TextEncoder();
const formatRecordOf = async (b: KVStore) => JSON.parse(new TextDecoder().decode(await b.get("kvgit")));

/** Logs every write call (set, setMany, cas, delete...) made through the returned backend. */
function loggingWrites(inner: MemoryStore, writes: string[]): KVStore {
  const writers = new Set(["set", "setMany", "cas", "delete", "deleteMany", "casDelete", "clear"]);
  return new Proxy(inner, {
    get: (t, p, r) => {
      const f = Reflect.get(t, p, r);
      if (typeof p === "string" && writers.has(p)) {
        return (...args: unknown[]) => {
          writes.push(`${p} ${typeof args[0] === "string" ? args[0] : ""}`);
          return (f as (...a: unknown[]) => unknown).apply(t, args);
        };
      }
      return f;
    },
  });
}

describe("change records: targeted review checks", () => {
  it("tryMerge on a format-2 store writes nothing, also when it needs a three-way merge (the record is raised only when a commit is written)", async () => {
    // Main and side diverge, then the record says format 2 (what a format-2 library would
    // have left; the commits' layout does not matter to tryMerge).
    const inner = new MemoryStore();
    const s = (await store({ backend: inner })) as Staged;
    s.set("a", 1);
    await s.commit();
    await s.createBranch("side");
    s.set("b", 1);
    await s.commit();
    const side = (await store({ backend: inner, branch: "side" })) as Staged;
    side.set("c", 1);
    await side.commit();
    await inner.set("kvgit", utf8.encode(JSON.stringify({ format: "kvgit", version: 2, codec: "msgpack" })));
    const writes: string[] = [];
    const reader = (await store({ backend: loggingWrites(inner, writes) })) as Staged;
    expect(await reader.tryMerge("side")).toEqual({ ok: true, conflicts: [] });
    expect(writes).toEqual([]);
    expect(await formatRecordOf(inner)).toEqual({ format: "kvgit", version: 2, codec: "msgpack" });
    // The merge itself raises it (codec kept) before its commit is written.
    await reader.merge("side");
    expect(writes[0]).toBe("cas kvgit");
    expect(await formatRecordOf(inner)).toEqual({ format: "kvgit", version: 3, codec: "msgpack" });
    expect(Object.fromEntries(reader.entries())).toEqual({ a: 1, b: 1, c: 1 });
  });

  it("two engines raising a format-2 record at once: both commits land, the record is 3 with its codec", async () => {
    const inner = new MemoryStore();
    const s = (await store({ backend: inner })) as Staged;
    s.set("a", 1);
    await s.commit();
    await inner.set("kvgit", utf8.encode(JSON.stringify({ format: "kvgit", version: 2, codec: "msgpack" })));
    // Both engines read the version-2 record before either CASes it.
    let arrived = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    const backend = new Proxy(inner, {
      get: (t, p, r) =>
        p === "cas"
          ? async (k: string, v: Uint8Array, e: Uint8Array | undefined) => {
              if (k === "kvgit" && arrived < 2) {
                if (++arrived === 2) release();
                await bothRead;
              }
              return t.cas(k, v, e);
            }
          : Reflect.get(t, p, r),
    });
    const [x, y] = [(await store({ backend })) as Staged, (await store({ backend })) as Staged];
    x.set("x", 1);
    y.set("y", 2);
    await Promise.all([x.commit(), y.commit()]);
    expect(arrived).toBe(2);
    expect(await formatRecordOf(inner)).toEqual({ format: "kvgit", version: 3, codec: "msgpack" });
    const fresh = (await store({ backend: inner })) as Staged;
    expect(Object.fromEntries(fresh.entries())).toEqual({ a: 1, x: 1, y: 2 });
    expect((await fresh.verify()).problems).toEqual([]);
  });

  for (const n of [1023, 1024, 1025]) {
    it(`${n} changed keys among no-op sets and deletes: a record exactly up to 1,024`, async () => {
      const backend = new MemoryStore();
      const s = (await store({ backend })) as Staged;
      for (let i = 0; i < 40; i++) s.set(`k${i}`, i);
      await s.commit();
      for (let i = 0; i < 40; i++) s.set(`k${i}`, i); // no-ops
      s.delete("absent");
      for (let i = 0; i < n; i++) s.set(`n${i}`, i);
      await s.commit();
      const v = await Versioned.open(backend);
      const c = await v.getCommit(s.currentCommit);
      const trees = await diffTrees(v.nodes, (await v.getCommit(c.parents[0])).root, c.root);
      expect(trees).toHaveLength(n);
      if (n <= 1024) expect(c.changes).toEqual(trees);
      else expect(c.changes).toBeUndefined();
      expect((await s.diff("main~1", "main")).added).toHaveLength(n);
      expect((await s.diff("main", "main~1")).removed).toHaveLength(n);
    });
  }

  it("keys near the 64 KiB cap (ASCII, U+FF46, surrogate pairs): a record when it fits, the right diff either way", async () => {
    for (const bytes of [65_000, 65_463, 65_468, 65_469, 65_536]) {
      for (const ch of ["x", "ｆ", "😀"]) {
        const backend = new MemoryStore();
        const s = (await store({ backend })) as Staged;
        s.set("a", 1);
        await s.commit();
        const key = ch.repeat(Math.floor(bytes / Buffer.byteLength(ch)));
        s.set(key, 1);
        s.set("a", 2);
        await s.commit();
        const v = await Versioned.open(backend);
        const c = await v.getCommit(s.currentCommit);
        const trees = await diffTrees(v.nodes, (await v.getCommit(c.parents[0])).root, c.root);
        if (c.changes) expect(c.changes).toEqual(trees);
        // The record's exact size: count, then kind, key length, key and ids per entry ("a" is modified too).
        const keyBytes = Buffer.byteLength(key);
        expect(c.changes !== undefined).toBe(1 + (1 + varintLength(keyBytes) + keyBytes + 20) + (1 + 1 + 1 + 40) <= 65_536);
        expect(await s.diff("main~1", "main")).toEqual({ added: [key], removed: [], modified: ["a"] });
        expect(await s.diff("main", "main~1")).toEqual({ added: [], removed: [key], modified: ["a"] });
      }
    }
  });

  it("any one damaged byte of a commit with a record reads as a FormatError naming it, or as some record: never another error", async () => {
    const backend = new MemoryStore();
    const s = (await store({ backend })) as Staged;
    for (const k of ["a", "b", "ｆ", "😀", "z"]) s.set(k, k);
    await s.commit();
    s.set("a", "A");
    s.delete("b");
    s.set("😀x", 1);
    s.set("ｆ", "F");
    await s.commit({ message: "m", info: { x: 1 } });
    const bytes = (await backend.get(`c/${s.currentCommit}`))!;
    const others: string[] = [];
    let formatErrors = 0;
    for (let pos = 0; pos < bytes.length; pos++) {
      for (const mask of [1, 2, 4, 0x10, 0x40, 0x80, 0xff]) {
        const damaged = Uint8Array.from(bytes);
        damaged[pos] ^= mask;
        const id = hashHex(damaged);
        await backend.set(`c/${id}`, damaged);
        const reader = (await store({ backend })) as Staged;
        try {
          await reader.diff("main~1", id);
          await reader.diff(id, "main~1");
        } catch (err) {
          // A damaged root or parent id names a missing object instead of this commit.
          if (err instanceof FormatError && (err as Error).message.includes(id)) formatErrors++;
          else if (!(err instanceof FormatError) && !(err instanceof RefError)) others.push(`${pos}^${mask}: ${(err as Error).constructor.name} ${(err as Error).message}`);
        }
        await backend.delete(`c/${id}`);
      }
    }
    expect(others).toEqual([]);
    expect(formatErrors).toBeGreaterThan(100);
  });

  it("an annotated commit that changes nothing carries an empty record (count 0), and diff reads it", async () => {
    const backend = new MemoryStore();
    const s = (await store({ backend })) as Staged;
    s.set("a", 1);
    await s.commit();
    s.set("a", 1);
    await s.commit({ message: "nothing changed" });
    const c = await (await Versioned.open(backend)).getCommit(s.currentCommit);
    expect(c.changes).toEqual([]);
    expect(await s.diff("main~1", "main")).toEqual({ added: [], removed: [], modified: [] });
  });
});
