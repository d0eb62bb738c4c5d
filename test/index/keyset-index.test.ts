import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FormatError } from "../../src/errors.ts";
import { MemoryStore } from "../../src/kv/memory-store.ts";
import { CountingStore } from "../support/counting-store.ts";
import { ObjectStore } from "../../src/objects/object-store.ts";
import { hashHex } from "../../src/objects/hash.ts";
import {
  applyChanges,
  buildTree,
  diffTrees,
  getValueId,
  getValueIds,
  NodeSource,
  provePath,
  scanEntries,
  verifyPath,
  type KeyChange,
} from "../../src/index/keyset-index.ts";

function fixture() {
  const kv = new MemoryStore();
  const objects = new ObjectStore(kv);
  const nodes = new NodeSource(objects);
  return { kv, objects, nodes };
}

const vid = (s: string) => hashHex(new TextEncoder().encode(s));

async function commitChanges(nodes: NodeSource, root: string, changes: Map<string, string | null>): Promise<string> {
  const batch = nodes.objects.batch();
  const sorted: KeyChange[] = [...changes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, v]) => ({ key, valueId: v === null ? null : vid(v) }));
  const next = await applyChanges(nodes, batch, root, sorted);
  await batch.flush();
  return next;
}

async function fromScratch(nodes: NodeSource, contents: Map<string, string>): Promise<string> {
  const batch = nodes.objects.batch();
  const entries = [...contents].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, v]) => ({ key, valueId: vid(v) }));
  const root = await buildTree(nodes, batch, entries);
  await batch.flush();
  return root;
}

async function emptyRoot(nodes: NodeSource): Promise<string> {
  return fromScratch(nodes, new Map());
}

const keyArb = fc.oneof(
  fc.integer({ min: 0, max: 400 }).map((i) => `k${String(i).padStart(4, "0")}`),
  fc.string({ minLength: 1, maxLength: 6 }),
  fc.string({ minLength: 1, maxLength: 4, unit: "grapheme" }),
);
const opArb = fc.tuple(keyArb, fc.option(fc.string({ maxLength: 4 }), { nil: null }));
const batchesArb = fc.array(fc.array(opArb, { maxLength: 60 }), { minLength: 1, maxLength: 8 });

describe("keyset index (prolly tree)", () => {
  it("history independence: equal contents give equal roots whatever the order of edits", async () => {
    await fc.assert(
      fc.asyncProperty(batchesArb, fc.integer(), async (batches, seed) => {
        const { nodes } = fixture();
        let root = await emptyRoot(nodes);
        const model = new Map<string, string>();
        for (const ops of batches) {
          const changes = new Map<string, string | null>();
          for (const [k, v] of ops) changes.set(k, v);
          root = await commitChanges(nodes, root, changes);
          for (const [k, v] of changes) (v === null ? model.delete(k) : model.set(k, v));
        }
        // Same contents from scratch, and inserted one at a time in a shuffled order.
        expect(root).toBe(await fromScratch(nodes, model));
        const shuffled = [...model].sort((a, b) => ((hashHex(new TextEncoder().encode(a[0] + seed)) < hashHex(new TextEncoder().encode(b[0] + seed))) ? -1 : 1));
        let other = await emptyRoot(nodes);
        for (let i = 0; i < shuffled.length; i += 7) other = await commitChanges(nodes, other, new Map(shuffled.slice(i, i + 7)));
        expect(other).toBe(root);
      }),
      { numRuns: 60 },
    );
  });

  it("get and scan agree with a model; a prefix scan equals a filter", async () => {
    await fc.assert(
      fc.asyncProperty(batchesArb, fc.string({ maxLength: 3 }), async (batches, prefix) => {
        const { nodes } = fixture();
        let root = await emptyRoot(nodes);
        const model = new Map<string, string>();
        for (const ops of batches) {
          const changes = new Map<string, string | null>(ops);
          root = await commitChanges(nodes, root, changes);
          for (const [k, v] of changes) (v === null ? model.delete(k) : model.set(k, v));
        }
        const expected = [...model].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, vid(v)]);
        expect(await scanEntries(nodes, root, prefix)).toEqual(expected);
        for (const [k, v] of [...model].slice(0, 20)) expect(await getValueId(nodes, root, k)).toBe(vid(v));
        expect(await getValueId(nodes, root, "absent-key")).toBe(model.has("absent-key") ? vid(model.get("absent-key")!) : undefined);
        const many = await getValueIds(nodes, root, [...model.keys(), "zz-missing"]);
        expect(many.size).toBe(model.size);
      }),
      { numRuns: 60 },
    );
  });

  it("structural diff equals a naive diff", async () => {
    await fc.assert(
      fc.asyncProperty(batchesArb, batchesArb, async (b1, b2) => {
        const { nodes } = fixture();
        const build = async (batches: typeof b1, start: string, model: Map<string, string>) => {
          let root = start;
          for (const ops of batches) {
            const changes = new Map<string, string | null>(ops);
            root = await commitChanges(nodes, root, changes);
            for (const [k, v] of changes) (v === null ? model.delete(k) : model.set(k, v));
          }
          return root;
        };
        const m1 = new Map<string, string>();
        const r1 = await build(b1, await emptyRoot(nodes), m1);
        const m2 = new Map(m1);
        const r2 = await build(b2, r1, m2);
        const naive: { key: string; from?: string; to?: string }[] = [];
        for (const k of [...new Set([...m1.keys(), ...m2.keys()])].sort()) {
          const a = m1.get(k);
          const b = m2.get(k);
          if (a !== b) naive.push({ key: k, from: a === undefined ? undefined : vid(a), to: b === undefined ? undefined : vid(b) });
        }
        const got = await diffTrees(nodes, r1, r2);
        expect(got.map((d) => ({ key: d.key, from: d.from, to: d.to }))).toEqual(naive);
        const back = await diffTrees(nodes, r2, r1);
        expect(back.map((d) => ({ key: d.key, from: d.to, to: d.from }))).toEqual(naive);
      }),
      { numRuns: 80 },
    );
  });

  it("structural diff equals a naive diff when mostly values change (nodes compared from their bytes)", async () => {
    const changeArb = fc.record({
      n: fc.integer({ min: 1, max: 5000 }),
      modified: fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 3 })), { maxLength: 80 }),
      inserted: fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 20 }),
      removed: fc.array(fc.nat(), { maxLength: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(changeArb, async ({ n, modified, inserted, removed }) => {
        const { nodes } = fixture();
        const key = (i: number) => `k${String(i).padStart(5, "0")}`;
        const m1 = new Map<string, string>();
        for (let i = 0; i < n; i++) m1.set(key(i), `v${i}`);
        const r1 = await fromScratch(nodes, m1);
        const changes = new Map<string, string | null>();
        for (const [i, v] of modified) changes.set(key(i % n), `w${v}`);
        for (const i of inserted) changes.set(key(i) + "+", "new");
        for (const i of removed) changes.set(key(i % n), null);
        const r2 = await commitChanges(nodes, r1, changes);
        const m2 = new Map(m1);
        for (const [k, v] of changes) (v === null ? m2.delete(k) : m2.set(k, v));
        const naive: { key: string; from?: string; to?: string }[] = [];
        for (const k of [...new Set([...m1.keys(), ...m2.keys()])].sort()) {
          const a = m1.get(k);
          const b = m2.get(k);
          if (a !== b) naive.push({ key: k, from: a === undefined ? undefined : vid(a), to: b === undefined ? undefined : vid(b) });
        }
        // Cold sources: nothing decoded yet, so internal nodes take the byte comparison.
        const got = await diffTrees(new NodeSource(nodes.objects), r1, r2);
        expect(got.map((d) => ({ key: d.key, from: d.from, to: d.to }))).toEqual(naive);
        const back = await diffTrees(new NodeSource(nodes.objects), r2, r1);
        expect(back.map((d) => ({ key: d.key, from: d.to, to: d.from }))).toEqual(naive);
      }),
      { numRuns: 120 },
    );
  });

  it("a diff of changed values decodes no node", async () => {
    const { nodes } = fixture();
    const contents = new Map<string, string>();
    for (let i = 0; i < 20_000; i++) contents.set(`k${String(i).padStart(6, "0")}`, `v${i}`);
    const root = await fromScratch(nodes, contents);
    const changes = new Map<string, string | null>();
    for (let i = 0; i < 20_000; i += 2_000) changes.set(`k${String(i).padStart(6, "0")}`, "changed");
    const next = await commitChanges(nodes, root, changes);
    const cold = new NodeSource(nodes.objects);
    expect(await diffTrees(cold, root, next)).toHaveLength(10);
    // No node is decoded: roots, internal nodes and leaves are compared as bytes.
    expect(cold.cachedCount).toBe(0);
  });

  it("a diff of two corrupt leaves with equal key bytes raises FormatError, not a wrong answer", async () => {
    const { nodes } = fixture();
    // `last(i)`: the last id byte of entry i (the two sides differ where it differs)
    const leaf = (keys: number[][], last: (i: number) => number) => {
      const bytes: number[] = [0, keys.length];
      keys.forEach((k, i) => bytes.push(0, k.length, ...k, ...new Array(19).fill(i), last(i)));
      return new Uint8Array(bytes);
    };
    const store = async (bytes: Uint8Array) => {
      const batch = nodes.objects.batch();
      const id = batch.put("n", bytes);
      await batch.flush();
      return id;
    };
    const parent = async (leafId: string) => {
      const batch = nodes.objects.batch();
      const id = nodes.put(batch, { height: 1, keys: ["z"], ids: [leafId] });
      await batch.flush();
      return id;
    };
    const b = [0x62];
    const a = [0x61];
    const changed = [() => 1, () => 2];
    const firstChanged = [() => 1, (i: number) => (i === 0 ? 2 : 1)]; // the corrupt entry itself unchanged
    const cases: Array<[number[][], Array<(i: number) => number>]> = [
      [[b, a], changed], // keys out of order
      [[[0xff, 0xfe]], changed], // bad UTF-8 in a changed entry
      [[a, [0xff]], firstChanged], // bad UTF-8 in an unchanged entry
      [[[0xef, 0xbf, 0xbf], [0xf0, 0x90, 0x80, 0x80]], firstChanged], // ascending as bytes, not as JS strings
    ];
    for (const [keys, [lastA, lastB]] of cases) {
      const [l1, l2] = [await store(leaf(keys, lastA)), await store(leaf(keys, lastB))];
      const [p1, p2] = [await parent(l1), await parent(l2)];
      await expect(diffTrees(new NodeSource(nodes.objects), p1, p2)).rejects.toThrow(FormatError);
      await expect(diffTrees(new NodeSource(nodes.objects), l1, l2)).rejects.toThrow(FormatError);
    }
  });

  it("proofs verify for present and absent keys and fail for any altered part", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 200 }), keyArb, async (ops, probe) => {
        const { nodes } = fixture();
        const root = await commitChanges(nodes, await emptyRoot(nodes), new Map(ops));
        const model = new Map<string, string | null>(ops);
        const path = await provePath(nodes, root, probe);
        const expected = model.get(probe);
        expect(verifyPath(root, probe, path)).toBe(expected == null ? null : vid(expected));
        // A different root, or a flipped byte anywhere in the path, proves nothing.
        expect(verifyPath(vid("other"), probe, path)).toBeUndefined();
        const i = path.length - 1;
        const tampered = path.map((p) => p.slice());
        tampered[i][tampered[i].length - 1] ^= 1;
        expect(verifyPath(root, probe, tampered)).toBeUndefined();
        expect(verifyPath(root, probe, path.slice(0, -1))).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });

  it("structural sharing: one changed key of 20,000 writes O(log N) nodes, and a diff reads few nodes", async () => {
    const { nodes } = fixture();
    const contents = new Map<string, string>();
    for (let i = 0; i < 20_000; i++) contents.set(`k${String(i).padStart(6, "0")}`, `v${i}`);
    const root = await fromScratch(nodes, contents);
    const batch = nodes.objects.batch();
    const next = await applyChanges(nodes, batch, root, [{ key: "k010000", valueId: vid("changed") }]);
    expect(batch.size).toBeLessThanOrEqual(8);
    await batch.flush();
    const cold = new NodeSource(new ObjectStore(new CountingStore(nodes.objects.kv)));
    const diff = await diffTrees(cold, root, next);
    expect(diff).toEqual([{ key: "k010000", from: vid("v10000"), to: vid("changed") }]);
    expect(cold.reads).toBeLessThanOrEqual(12);
  });

  it("a prefix scan reads only the nodes overlapping the prefix", async () => {
    const { nodes } = fixture();
    const contents = new Map<string, string>();
    for (let i = 0; i < 20_000; i++) contents.set(`ns${i % 50}/k${String(i).padStart(6, "0")}`, `v${i}`);
    const root = await fromScratch(nodes, contents);
    // In process: one read per node on the prefix's range (~400 keys / ~11 per leaf + path).
    const cold = new NodeSource(nodes.objects);
    const entries = await scanEntries(cold, root, "ns7/");
    expect(entries.length).toBe(400);
    expect(cold.reads).toBeLessThanOrEqual(70);
    // Remote (no synchronous reads): one batched read per level, not one per node.
    const remote = new NodeSource(new ObjectStore(new CountingStore(nodes.objects.kv)));
    expect(await scanEntries(remote, root, "ns7/")).toEqual(entries);
    expect(remote.reads).toBeLessThanOrEqual(6);
  });
});
