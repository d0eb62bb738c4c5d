import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { store, MemoryStore, type Staged } from "kvgit";
import { lowestSetBit, skipDepth, summaryMayContain, summaryOf, unionSummaries, keyChangeHash, SUMMARY_CAP } from "../../src/versioned/change-summary.ts";

/** keyHistory the slow way: every commit of the first-parent line against its parent. */
async function naiveKeyHistory(s: Staged, key: string): Promise<string[]> {
  const line = await s.log();
  const out: string[] = [];
  for (let i = 0; i < line.length; i++) {
    const here = await s.at(line[i].id);
    const parent = i + 1 < line.length ? await s.at(line[i + 1].id) : undefined;
    const now = (await here.has(key)) ? JSON.stringify(await here.get(key)) : undefined;
    const before = parent && (await parent.has(key)) ? JSON.stringify(await parent.get(key)) : undefined;
    if (now !== before) out.push(line[i].id);
  }
  return out;
}

const KEYS = ["a", "b", "c", "d", "e", "f"];

type Step =
  | { op: "set"; keys: number[]; value: number }
  | { op: "remove"; key: number }
  | { op: "rival"; key: number; value: number } // another writer commits first: a three-way commit
  | { op: "branchMerge"; key: number; value: number } // a side branch merged back
  | { op: "empty" } // a commit with only a message
  | { op: "resetBack"; steps: number } // resetTo an earlier commit of the line
  | { op: "rebase" }; // history replaced by one root commit

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("set" as const), keys: fc.uniqueArray(fc.nat(KEYS.length - 1), { minLength: 1, maxLength: 3 }), value: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("remove" as const), key: fc.nat(KEYS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("rival" as const), key: fc.nat(KEYS.length - 1), value: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("branchMerge" as const), key: fc.nat(KEYS.length - 1), value: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.constant({ op: "empty" as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("resetBack" as const), steps: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: "rebase" as const }) },
);

describe("keyHistory over change summaries", () => {
  it("equals the commit-by-commit walk on random histories with merges, removals and no-op writes", async () => {
    let branchNo = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 70 }), async (steps) => {
        const backend = new MemoryStore();
        const s = await store({ backend });
        s.setDefaultMerge((_b, ours) => ours);
        for (const step of steps) {
          if (step.op === "set") {
            for (const k of step.keys) s.set(KEYS[k], step.value);
            await s.commit();
          } else if (step.op === "remove") {
            s.delete(KEYS[step.key]);
            await s.commit({ message: "remove" });
          } else if (step.op === "rival") {
            const rival = await store({ backend });
            rival.set(KEYS[step.key], step.value + 10);
            await rival.commit();
            s.set(KEYS[(step.key + 1) % KEYS.length], step.value);
            await s.commit();
          } else if (step.op === "branchMerge") {
            const name = `side-${branchNo++}`;
            const side = await s.createBranch(name);
            side.set(KEYS[step.key], step.value + 20);
            await side.commit();
            side.set(KEYS[(step.key + 2) % KEYS.length], step.value + 30);
            await side.commit();
            await s.merge(name, { resolution: "theirs" });
          } else if (step.op === "resetBack") {
            const line = await s.log({ limit: step.steps + 1 });
            await s.resetTo(line[line.length - 1].id);
          } else if (step.op === "rebase") {
            await s.refresh(); // a no-op commit after a rival's leaves this object behind the head
            await s.rebase({ keepKeys: s.keys() });
          } else {
            await s.commit({ message: "empty" });
          }
        }
        for (const key of KEYS) {
          const fast = (await s.keyHistory(key)).map((c) => c.id);
          expect(fast).toEqual(await naiveKeyHistory(s, key));
        }
        // From a detached checkout in the middle of the line too.
        const line = await s.log();
        const past = (await s.checkout(line[Math.floor(line.length / 2)].id))!;
        for (const key of KEYS) expect((await past.keyHistory(key)).map((c) => c.id)).toEqual(await naiveKeyHistory(past, key));
      }),
      { numRuns: 40, ...(process.env.KH_SEED ? { seed: Number(process.env.KH_SEED) } : {}) },
    );
  });

  it("stays exact across a commit too large to summarise", async () => {
    const s = await store();
    for (let i = 0; i < SUMMARY_CAP + 100; i++) s.set(`bulk/${i}`, i);
    s.set("watched", 0);
    await s.commit({ message: "bulk" });
    for (let j = 1; j <= 40; j++) {
      s.set(j % 10 === 0 ? "watched" : `bulk/${j}`, -j);
      await s.commit({ message: `c${j}` });
    }
    expect((await s.keyHistory("watched")).map((c) => c.message)).toEqual(["c40", "c30", "c20", "c10", "bulk"]);
    expect((await s.keyHistory("bulk/7")).map((c) => c.message)).toEqual(["c7", "bulk"]);
    expect(await s.keyHistory("never")).toEqual([]);
    expect((await s.keyHistory("watched", { limit: 2 })).map((c) => c.message)).toEqual(["c40", "c30"]);
    await expect(s.keyHistory("watched", { limit: -1 })).rejects.toBeInstanceOf(RangeError);
  });
});

describe("change summaries", () => {
  it("split the first-parent line like a Fenwick tree", () => {
    expect([1, 2, 3, 4, 6, 8, 12].map(lowestSetBit)).toEqual([1, 2, 1, 4, 2, 8, 4]);
    expect([1, 2, 3, 5, 6, 7, 12].map(skipDepth)).toEqual([0, 0, 2, 4, 4, 6, 8]);
  });

  it("hold every summarised key, and union like sets", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 50 }), fc.array(fc.string(), { maxLength: 50 }), fc.string(), (xs, ys, probe) => {
        const a = summaryOf(xs)!;
        const b = summaryOf(ys)!;
        const u = unionSummaries(a, b)!;
        for (const k of [...xs, ...ys]) expect(summaryMayContain(u, keyChangeHash(k))).toBe(true);
        const inEither = summaryMayContain(a, keyChangeHash(probe)) || summaryMayContain(b, keyChangeHash(probe));
        expect(summaryMayContain(u, keyChangeHash(probe))).toBe(inEither);
        expect([...u]).toEqual([...new Set([...a, ...b])].sort((p, q) => p - q));
      }),
    );
  });

  it("become unknown (matching every key) above the cap", () => {
    const big = summaryOf(Array.from({ length: SUMMARY_CAP + 1 }, (_, i) => `k${i}`));
    expect(big).toBeNull();
    expect(summaryMayContain(big, 12345)).toBe(true);
    expect(unionSummaries(summaryOf(["a"]), big)).toBeNull();
    const full = summaryOf(Array.from({ length: SUMMARY_CAP }, (_, i) => `k${i}`));
    expect(full?.length).toBe(SUMMARY_CAP);
  });
});
