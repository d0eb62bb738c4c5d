import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { store, MemoryStore, FormatError, type Staged } from "kvgit";
import { Versioned } from "../../src/versioned/versioned.ts";
import { diffTrees } from "../../src/index/keyset-index.ts";
import { CHANGE_RECORD_CAP, CHANGE_RECORD_MAX_BYTES } from "../../src/versioned/change-record.ts";
import { encodeCommit, type Commit } from "../../src/versioned/commit-object.ts";
import { decodedFields } from "../support/commit-fields.ts";
import { hashHex } from "../../src/objects/hash.ts";

// Keys whose UTF-16 order differs from their UTF-8 byte order ("ｆ" is U+FF46, "😀" a
// surrogate pair), so the record's order must be the index's (JS string order).
const KEYS = ["a", "b", "c/1", "c/2", "ｆ", "😀", "z"];

type Step =
  | { op: "commit"; writes: { key: number; value: number | null }[] } // null: delete
  | { op: "rival"; writes: { key: number; value: number | null }[]; mine: { key: number; value: number | null }[] }
  | { op: "branchMerge"; writes: { key: number; value: number | null }[] };

const writesArb = fc.array(fc.record({ key: fc.nat(KEYS.length - 1), value: fc.option(fc.nat(3)) }), { maxLength: 6 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("commit" as const), writes: writesArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("rival" as const), writes: writesArb, mine: writesArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("branchMerge" as const), writes: writesArb }) },
);

function apply(s: Staged, writes: { key: number; value: number | null }[]): void {
  const dict = s as unknown as Record<string, unknown>;
  for (const w of writes) {
    if (w.value === null) delete dict[KEYS[w.key]];
    else dict[KEYS[w.key]] = w.value; // small values: often the value the key already has
  }
}

/** Every commit reachable from the head, all parents, read by a fresh engine (no cache). */
async function allCommits(v: Versioned, head: string): Promise<Commit[]> {
  const seen = new Map<string, Commit>();
  const todo = [head];
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    const c = await v.getCommit(id);
    seen.set(id, c);
    todo.push(...c.parents);
  }
  return [...seen.values()];
}

const kinds = (diffs: readonly { key: string; from?: string; to?: string }[]) => ({
  added: diffs.filter((d) => d.from === undefined).map((d) => d.key),
  removed: diffs.filter((d) => d.to === undefined).map((d) => d.key),
  modified: diffs.filter((d) => d.from !== undefined && d.to !== undefined).map((d) => d.key),
});

describe("change records", () => {
  it("equal the diff of the first parent's tree and the commit's, for fast-forward, three-way and merge commits", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (steps) => {
        const backend = new MemoryStore();
        const s = await store({ backend });
        s.setDefaultMerge((_b, ours) => ours);
        let branchNo = 0;
        for (const step of steps) {
          if (step.op === "commit") {
            apply(s, step.writes);
            await s.commit();
          } else if (step.op === "rival") {
            const rival = await store({ backend });
            apply(rival, step.writes);
            await rival.commit();
            apply(s, step.mine);
            await s.commit(); // three-way when the rival changed anything
          } else {
            const name = `side${branchNo++}`;
            await s.createBranch(name);
            const side = await store({ backend, branch: name });
            apply(side, step.writes);
            await side.commit();
            apply(s, step.writes.slice(0, 2).map((w) => ({ key: w.key, value: w.value === null ? 0 : w.value + 1 })));
            await s.commit();
            await s.merge(name, { resolution: "ours" });
          }
        }
        const v = await Versioned.open(backend);
        const head = await v.branchHead("main");
        for (const c of await allCommits(v, head)) {
          if (c.parents.length === 0) {
            expect(c.changes).toBeUndefined();
            continue;
          }
          const parent = await v.getCommit(c.parents[0]);
          const trees = await diffTrees(v.nodes, parent.root, c.root);
          expect(c.changes).toEqual(trees);
          // The public diff, both ways round, answers from the record and agrees with the trees.
          expect(await s.diff(parent.id, c.id)).toEqual(kinds(trees));
          const back = kinds(trees);
          expect(await s.diff(c.id, parent.id)).toEqual({ added: back.removed, removed: back.added, modified: back.modified });
        }
        expect((await s.verify()).problems).toEqual([]);
      }),
      { numRuns: 120 },
    );
  });

  it("is left out when a commit changes more keys, or more bytes, than a record holds; the diff still walks the trees", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    for (let i = 0; i <= CHANGE_RECORD_CAP; i++) s[`k${i}`] = i;
    await s.commit();
    const wide = s.currentCommit;
    s.k0 = "changed";
    await s.commit();
    const one = s.currentCommit;
    s["x".repeat(CHANGE_RECORD_MAX_BYTES)] = 1; // one key longer than a record may be
    await s.commit();
    const long = s.currentCommit;
    const v = await Versioned.open(backend);
    expect((await v.getCommit(wide)).changes).toBeUndefined();
    expect((await v.getCommit(one)).changes).toHaveLength(1);
    expect((await v.getCommit(long)).changes).toBeUndefined();
    const parentOfWide = (await s.parents(wide))[0];
    expect((await s.diff(parentOfWide, wide)).added).toHaveLength(CHANGE_RECORD_CAP + 1);
    expect(await s.diff(one, long)).toEqual({ added: ["x".repeat(CHANGE_RECORD_MAX_BYTES)], removed: [], modified: [] });
  });

  it("records only what really changed: setting a key to the value it has, or deleting an absent key, is not a change", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.a = 1;
    s.b = 2;
    await s.commit();
    s.a = 1; // same value
    s.b = 3;
    await s.commit();
    const v = await Versioned.open(backend);
    const c = await v.getCommit(s.currentCommit);
    expect(c.changes!.map((d) => d.key)).toEqual(["b"]);
    // The key-history summary is exact too: it holds one hash, b's.
    expect(c.changeSummary[0]).toHaveLength(1);
    expect((await s.keyHistory("a")).length).toBe(1);
  });

  it("the engine leaves no-op changes out of the record (Staged never sends them; another caller may)", async () => {
    const backend = new MemoryStore();
    const v = await Versioned.open(backend);
    const value = (text: string) => {
      const bytes = new TextEncoder().encode(text);
      return { bytes, id: hashHex(bytes) };
    };
    const resolver = { has: () => false, resolve: () => null };
    const first = await v.commit({ branch: "main", base: await v.ensureBranch("main"), changes: new Map([["a", value("1")], ["b", value("2")]]), resolver });
    // "a" set to the value it has, "absent" deleted though absent: neither is a change.
    const changes = new Map([["a", value("1")], ["absent", null], ["b", value("3")]]);
    const second = await v.commit({ branch: "main", base: first.commit, changes, resolver });
    const c = await (await Versioned.open(backend)).getCommit(second.commit);
    expect(c.changes).toEqual([{ key: "b", from: value("2").id, to: value("3").id }]);
    expect(c.changeSummary[0]).toHaveLength(1);
  });

  it("a record that disagrees with the trees is reported by verify(); a damaged one is a FormatError naming the commit", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.a = 1;
    s.b = 2;
    await s.commit();
    s.b = 3;
    await s.commit();
    const head = s.currentCommit;
    const { id: _id, ...fields } = decodedFields(head, (await backend.get(`c/${head}`))!);
    // A commit that claims "a" changed, when "b" did (hash-valid: written by a faulty writer).
    const lying = encodeCommit({ ...fields, changes: [{ ...fields.changes![0], key: "a" }] });
    const lyingId = hashHex(lying);
    await backend.set(`c/${lyingId}`, lying);
    await backend.set("h/main", new TextEncoder().encode(lyingId));
    const report = await (await store({ backend })).verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([`c/${lyingId}: change record differs from its trees (2 keys)`]);
    // Damaged inside the record: the framing holds, the kind byte does not.
    const damaged = Buffer.from(encodeCommit(fields));
    const at = damaged.indexOf(Buffer.from("b"), damaged.length - 45) - 3; // count, kind, length, "b"
    damaged[at + 1] = 9;
    const damagedId = hashHex(damaged);
    await backend.set(`c/${damagedId}`, damaged);
    await backend.set("h/main", new TextEncoder().encode(damagedId));
    const reader = await store({ backend });
    const parent = (await reader.parents(damagedId))[0];
    await expect(reader.diff(parent, damagedId)).rejects.toThrow(FormatError);
    await expect(reader.diff(parent, damagedId)).rejects.toThrow(`commit ${damagedId} is corrupt (bad change kind)`);
    expect((await reader.verify()).problems).toEqual([`c/${damagedId}: corrupt (commit ${damagedId} is corrupt (bad change kind); the store's data is damaged)`]);
  });
});

describe("change records save reading trees", () => {
  /** The backend seen as a remote one (no synchronous reads), logging every key it is asked for. */
  function loggingRemote(inner: MemoryStore, keysRead: string[]) {
    return new Proxy(inner, {
      get: (t, p, r) => {
        if (p === "getSync" || p === "getSyncParts" || p === "getSyncId") return undefined;
        if (p === "get") return (k: string) => (keysRead.push(k), t.get(k));
        if (p === "getMany") return (ks: readonly string[]) => (keysRead.push(...ks), t.getMany(ks));
        return Reflect.get(t, p, r);
      },
    });
  }

  it("diff(parent, child) and a refresh past one commit of another writer read no index node", async () => {
    const inner = new MemoryStore();
    const keysRead: string[] = [];
    const backend = loggingRemote(inner, keysRead);
    const writer = await store({ backend });
    for (let i = 0; i < 2000; i++) writer[`k${i}`] = i;
    await writer.commit();
    const reader = await store({ backend });
    writer.k5 = "five";
    delete writer.k7;
    writer.extra = true;
    await writer.commit();
    keysRead.length = 0;
    await reader.refresh();
    expect([reader.k5, reader.k7, reader.extra, reader.size]).toEqual(["five", undefined, true, 2000]);
    expect(await reader.diff("main~1", "main")).toEqual({ added: ["extra"], removed: ["k7"], modified: ["k5"] });
    expect(await reader.diff("main", "main~1")).toEqual({ added: ["k7"], removed: ["extra"], modified: ["k5"] });
    expect(keysRead.filter((k) => k.startsWith("n/"))).toEqual([]);
    // Two commits apart there is no record to use: the trees are diffed.
    writer.k5 = "again";
    await writer.commit();
    writer.k6 = "six";
    await writer.commit();
    keysRead.length = 0;
    await reader.refresh();
    expect([reader.k5, reader.k6]).toEqual(["again", "six"]);
    expect(keysRead.filter((k) => k.startsWith("n/")).length).toBeGreaterThan(0);
  });

  it("keyHistory answers from the records: no index node read", async () => {
    const inner = new MemoryStore();
    const keysRead: string[] = [];
    const s = await store({ backend: loggingRemote(inner, keysRead) });
    for (let i = 0; i < 300; i++) s[`k${i}`] = i;
    await s.commit();
    const changedK5: string[] = [];
    for (let j = 0; j < 40; j++) {
      s[`k${j % 7}`] = `v${j}`;
      s[`k${100 + j}`] = j;
      await s.commit();
      if (j % 7 === 5) changedK5.unshift(s.currentCommit);
    }
    const loadCommit = (await s.log()).at(-2)!.id; // the bulk load, which created k5
    keysRead.length = 0;
    const reader = await store({ backend: loggingRemote(inner, keysRead) });
    keysRead.length = 0;
    expect((await reader.keyHistory("k5")).map((c) => c.id)).toEqual([...changedK5, loadCommit]);
    expect(keysRead.filter((k) => k.startsWith("n/"))).toEqual([]);
  });

  it("an index-view store object moves by the record too: no index node read, the same result", async () => {
    const inner = new MemoryStore();
    // Every read of an index node, synchronous ones included (an index view reads that way).
    const nodeReads: string[] = [];
    const backend = new Proxy(inner, {
      get: (t, p, r) => {
        if (p === "getSync") return (k: string) => (k.startsWith("n/") && nodeReads.push(k), t.getSync(k));
        if (p === "getSyncParts") return (prefix: string, rest: string) => (prefix === "n/" && nodeReads.push(rest), t.getSyncParts(prefix, rest));
        if (p === "getSyncId") return (prefix: string, id: Uint8Array, at: number) => (prefix === "n/" && nodeReads.push("raw"), t.getSyncId(prefix, id, at));
        if (p === "get") return (k: string) => (k.startsWith("n/") && nodeReads.push(k), t.get(k));
        if (p === "getMany") return (ks: readonly string[]) => (nodeReads.push(...ks.filter((k) => k.startsWith("n/"))), t.getMany(ks));
        return Reflect.get(t, p, r);
      },
    });
    const writer = await store({ backend });
    for (let i = 0; i < 500; i++) writer[`k${i}`] = i;
    await writer.commit();
    const reader = await store({ backend, workingCopy: "index" });
    writer.k1 = "one";
    delete writer.k2;
    writer.z = 1;
    await writer.commit();
    nodeReads.length = 0;
    await reader.refresh();
    expect(nodeReads).toEqual([]);
    expect([reader.k1, reader.k2, reader.z, reader.size, reader.has("k2")]).toEqual(["one", undefined, 1, 500, false]);
    // Back to the parent: the record read the other way round.
    nodeReads.length = 0;
    expect(await reader.resetTo("main~1")).toBe(true);
    expect(nodeReads).toEqual([]);
    expect([reader.k1, reader.k2, reader.z, reader.size, reader.has("z")]).toEqual([1, 2, undefined, 500, false]);
  });
});
