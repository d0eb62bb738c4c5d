import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { ConcurrencyError, DELETE, MemoryStore, MergeConflict, NotSupportedError, counter, jsonValue, registerContentType, store, unregisterContentType, type ContentType, type Store } from "kvgit";

/**
 * Two writers on one store attach and remove content types with and without their own
 * encoding (directly and through a namespace), write, delete, commit (with and without
 * onConflict "abandon"), refresh, rebase and resetTo in random order, while a third process
 * without one of the types reads and writes. After every step a fresh store object, both
 * writers and `at()` of every commit so far must read what a plain model says: no sequence
 * may leave a value stored in one encoding and read in another; refusals must change
 * nothing. KEY_ENCODING_SEED=<n> replays a run.
 */
const enc = new TextEncoder(), dec = new TextDecoder();
const wrapped: ContentType = {
  name: "test:wrapped-json",
  encode: (v) => enc.encode("W" + JSON.stringify(v)),
  decode: (b) => { const t = dec.decode(b); if (t[0] !== "W") throw new Error(`not wrapped: ${t.slice(0, 10)}`); return JSON.parse(t.slice(1)); },
  merge: (_b, o) => o,
};
registerContentType(wrapped);
const TYPES: Record<string, () => ContentType> = { json: () => jsonValue(), wrapped: () => wrapped, counter: () => counter() };
const KEYS = ["a", "p/x", "p/y", "p/q/z", "q"];
const TARGETS: ReadonlyArray<readonly [string, boolean]> = [["a", false], ["p/x", false], ["p/", true], ["p/q/", true], ["q", false]];
const oursIfChanged = (base: unknown, ours: unknown, theirs: unknown) => { const r = isDeepStrictEqual(base, ours) ? theirs : ours; return r === undefined ? DELETE : r; };
const mergeFns = Object.fromEntries(KEYS.map((k) => [k, oursIfChanged]));

type Op =
  | { t: "set"; w: number; k: string; v: unknown }
  | { t: "del"; w: number; k: string }
  | { t: "attach"; w: number; i: number; ty: string; ns: boolean }
  | { t: "detach"; w: number; i: number; ns: boolean }
  | { t: "commit"; w: number; abandon: boolean }
  | { t: "refresh"; w: number }
  | { t: "rebase"; w: number; keep: string[] }
  | { t: "resetTo"; w: number; back: number }
  | { t: "blind" }
  | { t: "blindWrite"; k: string; v: unknown };

const val = fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom("s", "tt"), fc.nat(3).map((n) => ({ n })));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant("set" as const), w: fc.nat(1), k: fc.constantFrom(...KEYS), v: val }),
  fc.record({ t: fc.constant("set" as const), w: fc.nat(1), k: fc.constantFrom(...KEYS), v: val }),
  fc.record({ t: fc.constant("del" as const), w: fc.nat(1), k: fc.constantFrom(...KEYS) }),
  fc.record({ t: fc.constant("attach" as const), w: fc.nat(1), i: fc.nat(TARGETS.length - 1), ty: fc.constantFrom("json", "wrapped", "counter"), ns: fc.boolean() }),
  fc.record({ t: fc.constant("detach" as const), w: fc.nat(1), i: fc.nat(TARGETS.length - 1), ns: fc.boolean() }),
  fc.record({ t: fc.constant("commit" as const), w: fc.nat(1), abandon: fc.boolean() }),
  fc.record({ t: fc.constant("commit" as const), w: fc.nat(1), abandon: fc.boolean() }),
  fc.record({ t: fc.constant("refresh" as const), w: fc.nat(1) }),
  fc.record({ t: fc.constant("rebase" as const), w: fc.nat(1), keep: fc.subarray(KEYS) }),
  fc.record({ t: fc.constant("resetTo" as const), w: fc.nat(1), back: fc.nat(4) }),
  fc.record({ t: fc.constant("blind" as const) }),
  fc.record({ t: fc.constant("blindWrite" as const), k: fc.constantFrom(...KEYS), v: val }),
);

type State = Record<string, unknown>;
const REMOVED = Symbol("removed");
let waterRebases = 0;
function check(cond: boolean, msg: string) { if (!cond) throw new Error(msg); }

async function run(ops: readonly Op[], water?: number): Promise<void> {
  const backend = new MemoryStore();
  const WOPTS = water === undefined ? {} : { highWaterBytes: water, lowWaterBytes: Math.floor(water / 2) };
  const writers: Store[] = [await store({ backend, ...WOPTS }), await store({ backend, ...WOPTS })];
  let head: State = {};
  let headId = writers[0].currentCommit;
  const line: string[] = [headId]; // first-parent-ish list of head ids, for resetTo
  const snapshots = new Map<string, State>([[headId, {}]]);
  const model = [0, 1].map(() => ({ base: {} as State, baseId: headId, staged: new Map<string, unknown>() }));
  const setHead = (id: string, st: State) => { head = st; headId = id; snapshots.set(id, { ...st }); line.push(id); };
  for (const o of ops) {
    const ctx = () => `after ${JSON.stringify(o)}`;
    if (o.t === "blind" || o.t === "blindWrite") {
      unregisterContentType(wrapped.name);
      try {
        const b = await store({ backend });
        for (const k of KEYS) {
          let got: unknown; let err: unknown;
          try { got = b.get(k); } catch (e) { err = e; }
          if (err) check(err instanceof NotSupportedError, `blind read ${k} threw ${(err as Error).name}: ${(err as Error).message} ${ctx()}`);
          else check(isDeepStrictEqual(got, head[k]), `blind read ${k} = ${JSON.stringify(got)} want ${JSON.stringify(head[k])} ${ctx()}`);
        }
        if (o.t === "blindWrite") {
          b.set(o.k, o.v);
          try {
            const r = await b.commit();
            if (r.strategy !== "no_op") setHead(r.commit, { ...head, [o.k]: o.v });
          } catch (e) {
            check(e instanceof NotSupportedError || e instanceof ConcurrencyError, `blind write threw ${(e as Error).name}: ${(e as Error).message}`);
          }
        }
      } finally { registerContentType(wrapped); }
    } else {
      const w = writers[o.w];
      const m = model[o.w];
      if (o.t === "set") { w.set(o.k, o.v); m.staged.set(o.k, o.v); }
      else if (o.t === "del") { w.delete(o.k); if (o.k in m.base) m.staged.set(o.k, REMOVED); else m.staged.delete(o.k); }
      else if (o.t === "attach" || o.t === "detach") {
        const [target, prefix] = TARGETS[o.i];
        const ct = o.t === "attach" ? TYPES[o.ty]() : undefined;
        if (o.ns && target.startsWith("p/") && target !== "p/") w.namespace("p").setContentType(target.slice(2), ct, { prefix });
        else w.setContentType(target, ct, { prefix });
      } else if (o.t === "refresh") { await w.refresh(); m.base = { ...head }; m.baseId = headId; m.staged.clear(); }
      else if (o.t === "rebase") {
        const keep = o.keep.filter((k) => k in m.base);
        try {
          const r = await w.rebase({ keepKeys: o.keep });
          check(m.baseId === headId, `rebase succeeded from stale base ${ctx()}`);
          const st: State = {}; for (const k of keep) st[k] = m.base[k];
          setHead(r.newCommit!, st);
          m.base = { ...st }; m.baseId = headId;
        } catch (e) {
          check(e instanceof ConcurrencyError && m.baseId !== headId, `rebase threw ${(e as Error).name}: ${(e as Error).message} ${ctx()}`);
        }
      } else if (o.t === "resetTo") {
        const target = line[Math.max(0, line.length - 1 - o.back)];
        const ok = await w.resetTo(target);
        check(ok === (m.baseId === headId), `resetTo returned ${ok} ${ctx()}`);
        if (ok) { head = { ...snapshots.get(target)! }; headId = target; line.push(target); m.base = { ...head }; m.baseId = headId; m.staged.clear();
          const other = model[1 - o.w]; await writers[1 - o.w].refresh(); other.base = { ...head }; other.baseId = headId; other.staged.clear(); }
      } else {
        let result; const rbBefore = w.lastRebaseResult;
        try { result = await w.commit({ mergeFns, ...(o.abandon ? { onConflict: "abandon" as const } : {}) }); }
        catch (err) {
          if (!(err instanceof ConcurrencyError || err instanceof MergeConflict || err instanceof NotSupportedError)) throw err;
          check(o.abandon ? !(err instanceof ConcurrencyError && "attempts" in (err as any).data) && !(err instanceof MergeConflict) : true, `abandon threw ${(err as Error).name}`);
          check((await store({ backend })).currentCommit === headId, `failed commit moved head ${ctx()}`);
          continue;
        }
        if (!result.merged) {
          check(o.abandon, "merged false without abandon");
          check(isDeepStrictEqual(w.lastMergeResult, result), "lastMergeResult differs");
          check(w.currentCommit === m.baseId, "abandon moved currentCommit");
          check((await store({ backend })).currentCommit === headId, `abandoned commit moved head ${ctx()}`);
          continue;
        }
        const ours: State = { ...m.base };
        for (const [k, v] of m.staged) { if (v === REMOVED) delete ours[k]; else ours[k] = v; }
        let next: State = ours;
        if (m.baseId !== headId) {
          next = { ...head };
          for (const k of KEYS) {
            if (isDeepStrictEqual(m.base[k], ours[k])) continue;
            if (ours[k] === undefined) delete next[k]; else next[k] = ours[k];
          }
        }
        if (result.strategy !== "no_op") { setHead(result.commit, next); m.base = { ...head }; m.baseId = headId; }
        m.staged.clear();
        const rb = w.lastRebaseResult;
        if (rb !== rbBefore && rb?.performed) {
          const st = { ...head }; for (const k of rb.droppedKeys) delete st[k];
          setHead(rb.newCommit!, st); m.base = { ...st }; m.baseId = headId; waterRebases++;
        }
      }
    }
    const fresh = await store({ backend });
    for (const k of KEYS) check(isDeepStrictEqual(fresh.get(k), head[k]), `fresh ${k}=${JSON.stringify(fresh.get(k))} want ${JSON.stringify(head[k])} ${ctx()}`);
    writers.forEach((wi, i) => {
      for (const k of KEYS) {
        const s = model[i].staged.has(k) ? model[i].staged.get(k) : model[i].base[k];
        check(isDeepStrictEqual(wi.get(k), s === REMOVED ? undefined : s), `writer ${i} ${k}=${JSON.stringify(wi.get(k))} want ${JSON.stringify(s === REMOVED ? undefined : s)} ${ctx()}`);
      }
    });
    for (const [id, snap] of snapshots) {
      const at = await fresh.at(id);
      for (const k of KEYS) { const g = await at.get(k); check(isDeepStrictEqual(g, snap[k]), `at(${id.slice(0, 7)}) ${k}=${JSON.stringify(g)} want ${JSON.stringify(snap[k])} ${ctx()}`); }
    }
  }
}


const seed = process.env.KEY_ENCODING_SEED === undefined ? undefined : Number(process.env.KEY_ENCODING_SEED);
const settings = (numRuns: number) => ({ numRuns, ...(seed === undefined ? {} : { seed }) });

describe("content-type encodings under concurrent writers (property)", () => {
  it("every process and every commit reads what was written, whatever the order of type changes, writes, commits, rebases and resets", async () => {
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => run(ops)), settings(1500));
  }, 240_000);

  it("the same with water marks low enough that commits rebase automatically", async () => {
    waterRebases = 0;
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => run(ops, 6)), settings(600));
    expect(waterRebases).toBeGreaterThan(0);
  }, 240_000);
});
