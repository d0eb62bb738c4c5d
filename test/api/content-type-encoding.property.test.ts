import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { ConcurrencyError, DELETE, MemoryStore, MergeConflict, NotSupportedError, counter, jsonValue, registerContentType, store, type ContentType, type Store } from "kvgit";

/**
 * Two writers on one store attach and remove content types with and without their own
 * encoding on keys and prefixes, write, delete, commit and refresh in random order. After
 * every step a fresh store object, both writers and `at()` of every commit so far must read
 * what a plain model says: no sequence may leave a value stored in one encoding and read
 * in another. KEY_ENCODING_SEED=<n> replays a run.
 */
const enc = new TextEncoder();
const dec = new TextDecoder();
const wrapped: ContentType = {
  name: "test:wrapped-json",
  encode: (v) => enc.encode("W" + JSON.stringify(v)),
  decode: (b) => {
    const text = dec.decode(b);
    if (text[0] !== "W") throw new Error(`not wrapped bytes: ${text.slice(0, 10)}`);
    return JSON.parse(text.slice(1));
  },
  merge: (_b, ours) => ours,
};
registerContentType(wrapped);

const TYPES: Record<string, () => ContentType> = { json: () => jsonValue(), wrapped: () => wrapped, counter: () => counter() };
const KEYS = ["a", "p/x", "p/y", "p/q/z", "q"];
const TARGETS: ReadonlyArray<readonly [string, boolean]> = [["a", false], ["p/x", false], ["p/", true], ["p/q/", true], ["q", false]];
/** Ours when we changed the key, else theirs: what the model below computes. */
const oursIfChanged = (base: unknown, ours: unknown, theirs: unknown) => {
  const r = isDeepStrictEqual(base, ours) ? theirs : ours;
  return r === undefined ? DELETE : r;
};
const mergeFns = Object.fromEntries(KEYS.map((k) => [k, oursIfChanged]));

type Op =
  | { t: "set"; w: number; k: string; v: unknown }
  | { t: "del"; w: number; k: string }
  | { t: "attach"; w: number; i: number; ty: string }
  | { t: "detach"; w: number; i: number }
  | { t: "commit"; w: number }
  | { t: "refresh"; w: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant("set" as const), w: fc.nat(1), k: fc.constantFrom(...KEYS), v: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom("s", "tt"), fc.nat(3).map((n) => ({ n }))) }),
  fc.record({ t: fc.constant("del" as const), w: fc.nat(1), k: fc.constantFrom(...KEYS) }),
  fc.record({ t: fc.constant("attach" as const), w: fc.nat(1), i: fc.nat(TARGETS.length - 1), ty: fc.constantFrom("json", "wrapped", "counter") }),
  fc.record({ t: fc.constant("detach" as const), w: fc.nat(1), i: fc.nat(TARGETS.length - 1) }),
  fc.record({ t: fc.constant("commit" as const), w: fc.nat(1) }),
  fc.record({ t: fc.constant("commit" as const), w: fc.nat(1) }),
  fc.record({ t: fc.constant("refresh" as const), w: fc.nat(1) }),
);

type State = Record<string, unknown>;
const REMOVED = Symbol("removed");

async function run(ops: readonly Op[]): Promise<void> {
  const backend = new MemoryStore();
  const writers: Store[] = [await store({ backend }), await store({ backend })];
  let head: State = {};
  let headId = writers[0].currentCommit;
  const snapshots = new Map<string, State>([[headId, {}]]);
  const model = [0, 1].map(() => ({ base: {} as State, baseId: headId, staged: new Map<string, unknown>() }));
  for (const o of ops) {
    const w = writers[o.w];
    const m = model[o.w];
    if (o.t === "set") {
      w.set(o.k, o.v);
      m.staged.set(o.k, o.v);
    } else if (o.t === "del") {
      w.delete(o.k);
      if (o.k in m.base) m.staged.set(o.k, REMOVED);
      else m.staged.delete(o.k);
    } else if (o.t === "attach" || o.t === "detach") {
      const [target, prefix] = TARGETS[o.i];
      w.setContentType(target, o.t === "attach" ? TYPES[o.ty]() : undefined, { prefix });
    } else if (o.t === "refresh") {
      await w.refresh();
      m.base = { ...head };
      m.baseId = headId;
      m.staged.clear();
    } else {
      let result;
      try {
        result = await w.commit({ mergeFns });
      } catch (err) {
        // Refusals are allowed; they must change nothing.
        if (!(err instanceof ConcurrencyError || err instanceof MergeConflict || err instanceof NotSupportedError)) throw err;
        expect((await store({ backend })).currentCommit).toBe(headId);
        continue;
      }
      const ours: State = { ...m.base };
      for (const [k, v] of m.staged) {
        if (v === REMOVED) delete ours[k];
        else ours[k] = v;
      }
      let next: State = ours;
      if (m.baseId !== headId) {
        next = { ...head };
        for (const k of KEYS) {
          if (isDeepStrictEqual(m.base[k], ours[k])) continue;
          if (ours[k] === undefined) delete next[k];
          else next[k] = ours[k];
        }
      }
      if (result.strategy !== "no_op") {
        head = next;
        headId = result.commit;
        snapshots.set(headId, { ...head });
        m.base = { ...head };
        m.baseId = headId;
      }
      m.staged.clear();
    }
    const fresh = await store({ backend });
    for (const k of KEYS) expect(fresh.get(k), `fresh ${k} after ${JSON.stringify(o)}`).toEqual(head[k]);
    writers.forEach((wi, i) => {
      for (const k of KEYS) {
        const s = model[i].staged.has(k) ? model[i].staged.get(k) : model[i].base[k];
        expect(wi.get(k), `writer ${i} ${k} after ${JSON.stringify(o)}`).toEqual(s === REMOVED ? undefined : s);
      }
    });
    for (const [id, snapshot] of snapshots) {
      const at = await fresh.at(id);
      for (const k of KEYS) expect(await at.get(k), `at(${id.slice(0, 7)}) ${k}`).toEqual(snapshot[k]);
    }
  }
}

describe("content-type encodings under two writers (property)", () => {
  it("every process and every commit reads what was written, whatever the order of type changes, writes and commits", async () => {
    const seed = process.env.KEY_ENCODING_SEED === undefined ? undefined : Number(process.env.KEY_ENCODING_SEED);
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) => run(ops)),
      { numRuns: 500, ...(seed === undefined ? {} : { seed }) },
    );
  }, 120_000);
});
