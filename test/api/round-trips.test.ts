import { describe, expect, it } from "vitest";
import { store, MemoryStore } from "kvgit";
import { CountingStore } from "../support/counting-store.ts";

// CountingStore offers no synchronous reads, so the library treats it like a remote
// backend: every call it sees is a round trip.
const key = (i: number) => `k${String(i).padStart(6, "0")}`;

async function seeded(n: number) {
  const backend = new CountingStore(new MemoryStore());
  const s = await store({ backend });
  for (let i = 0; i < n; i++) s.set(key(i), { i });
  s.set("ctr", 0);
  await s.commit();
  return { backend, s };
}

describe("round trips on a remote backend (SPEC §5.12)", () => {
  it("a cold open costs round trips that grow with the index depth, not with N", async () => {
    const calls: number[] = [];
    for (const n of [1_000, 30_000]) {
      const { backend } = await seeded(n);
      const before = backend.calls;
      const s = await store({ backend });
      expect(s.size).toBe(n + 1);
      calls.push(backend.calls - before);
    }
    // format record + head + commit + one batch per level + one for the values
    expect(calls[1]).toBeLessThanOrEqual(calls[0] + 3);
    expect(calls[1]).toBeLessThanOrEqual(12);
  });

  it("a three-way merge commit and a diff cost round trips bounded by the depth", async () => {
    const { backend, s: a } = await seeded(30_000);
    const b = await store({ backend });
    for (const w of [a, b]) w.setMergeFn("ctr", (base: any, o: any, t: any) => o + t - base);
    for (let j = 0; j < 300; j++) a.set(key(j * 100), { a: j });
    a.set("ctr", 1);
    const first = await a.commit();
    for (let j = 0; j < 300; j++) b.set(key(j * 100 + 50), { b: j });
    b.set("ctr", 2);
    const before = backend.calls;
    const r = await b.commit();
    expect(r.strategy).toBe("three_way");
    expect(b.get("ctr")).toBe(3);
    const mergeCalls = backend.calls - before;
    expect(mergeCalls).toBeLessThanOrEqual(20);

    const fresh = await store({ backend });
    const beforeDiff = backend.calls;
    const d = await fresh.diff(first.commit, r.commit);
    expect(d.modified).toHaveLength(301);
    expect(backend.calls - beforeDiff).toBeLessThanOrEqual(12);
  });
});

describe("history reads", () => {
  it("a first-parent history walk costs round trips that grow with the log of its length", async () => {
    const callsFor = async (commits: number) => {
      const backend = new CountingStore(new MemoryStore());
      const s = await store({ backend });
      for (let c = 0; c < commits; c++) {
        s.h = c;
        await s.commit();
      }
      const fresh = await store({ backend });
      const before = backend.calls;
      const ids: string[] = [];
      for await (const id of fresh.history()) ids.push(id);
      expect(ids).toHaveLength(commits + 1);
      expect(ids).toEqual((await fresh.log()).map((c) => c.id));
      return backend.calls - before;
    };
    const small = await callsFor(100);
    const large = await callsFor(1_000);
    // 9 and 21 when written (one read per commit would be 101 and 1,001): ten times the
    // history adds about a dozen round trips.
    expect(large).toBeLessThanOrEqual(small + 15);
    expect(large).toBeLessThanOrEqual(25);
  });

  it("a short log on a long history reads about one chunk of commits, not the whole line", async () => {
    const backend = new CountingStore(new MemoryStore());
    const s = await store({ backend });
    for (let c = 0; c < 2_000; c++) {
      s.h = c;
      await s.commit();
    }
    const fresh = await store({ backend });
    const before = { keys: backend.keysRead, reads: backend.reads };
    expect(await fresh.log({ limit: 10 })).toHaveLength(10);
    // The walk reads ahead at most one chunk (256 commits) below where it is.
    expect(backend.keysRead - before.keys).toBeLessThanOrEqual(2 * 256);
    expect(backend.reads - before.reads).toBeLessThanOrEqual(12);
  });

  it("keyHistory costs in proportion to the changes it finds, not to the history's length", async () => {
    const readsFor = async (commits: number, changes: number) => {
      const { backend, s } = await seeded(20_000);
      for (let c = 0; c < commits; c++) {
        // The watched key changes `changes` times, spread over the history; other commits change other keys.
        s.set(c % (commits / changes) === 0 ? "watched" : key(c * 97), { c });
        await s.commit();
      }
      const fresh = await store({ backend });
      const before = backend.reads;
      const hist = await fresh.keyHistory("watched");
      expect(hist).toHaveLength(changes);
      return backend.reads - before;
    };
    const short = await readsFor(100, 5);
    const long = await readsFor(1_000, 5);
    const many = await readsFor(1_000, 50);
    // Per change: about log2(history) commit reads to find it, plus the key's path (depth 5
    // here) in the commit and its parent. 10x the history adds a few reads per change.
    const perChange = Math.log2(1_000) + 1 + 2 * 6;
    expect(long).toBeLessThanOrEqual(5 * perChange);
    expect(long).toBeLessThanOrEqual(short + 5 * 8);
    expect(many).toBeLessThanOrEqual(50 * perChange);
    expect(many).toBeGreaterThan(5 * long); // reading more changes costs more: it is per change
  });
});

describe("merge base reads", () => {
  it("walks both sides of a merge in one batch per generation step", async () => {
    const backend = new CountingStore(new MemoryStore());
    const s = await store({ backend });
    s.set("x", 0);
    await s.commit();
    const dev = await s.createBranch("dev");
    for (let i = 1; i <= 25; i++) {
      s.set("x", i);
      await s.commit();
      dev.set("y", i);
      await dev.commit();
    }
    const fresh = await store({ backend }); // cold commit cache
    const before = backend.reads;
    const r = await fresh.merge("dev");
    expect(r.strategy).toBe("three_way");
    // 2 x 25 commits to walk: about one batched read per generation step, not one per commit.
    expect(backend.reads - before).toBeLessThanOrEqual(40);
  });
});
