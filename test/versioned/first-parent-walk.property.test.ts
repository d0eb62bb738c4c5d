import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { store, MemoryStore, FormatError, type KVStore, type Staged } from "kvgit";
import { firstParentOffset, grandparentOffset } from "../../src/versioned/commit-object.ts";

/** The first-parent line the slow way: `parents()` of each commit, one at a time. */
async function naiveLine(s: Staged, from: string): Promise<string[]> {
  const line: string[] = [];
  for (let id: string | undefined = from; id !== undefined; id = (await s.parents(id))[0]) line.push(id);
  return line;
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const id of it) out.push(id);
  return out;
}

/** The same backend seen as a remote one (no synchronous reads): the walk decodes every commit. */
const remoteLike = (inner: MemoryStore): KVStore =>
  new Proxy(inner, { get: (t, p, r) => (p === "getSync" || p === "getSyncParts" || p === "getSyncId" ? undefined : Reflect.get(t, p, r)) });

type Step =
  | { op: "commit"; value: number }
  | { op: "rival"; value: number } // another writer commits first: a three-way commit
  | { op: "branchMerge"; commits: number } // a side branch with its own line, merged back
  | { op: "resetBack"; steps: number }
  | { op: "rebase" };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("commit" as const), value: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("rival" as const), value: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("branchMerge" as const), commits: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("resetBack" as const), steps: fc.integer({ min: 1, max: 7 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: "rebase" as const }) },
);

describe("first-parent history walk", () => {
  it("lists the same line as following first parents one by one, from every commit, in-process and remote", async () => {
    let branchNo = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 60 }), async (steps) => {
        const backend = new MemoryStore();
        const s = await store({ backend });
        s.setDefaultMerge((_b, ours) => ours);
        let n = 0;
        for (const step of steps) {
          if (step.op === "commit") {
            s.v = `${step.value}:${n++}`;
            await s.commit();
          } else if (step.op === "rival") {
            const rival = await store({ backend });
            rival.r = n++;
            await rival.commit();
            s.v = `${step.value}:${n++}`;
            await s.commit();
          } else if (step.op === "branchMerge") {
            const side = `side${branchNo++}`;
            await s.createBranch(side);
            const b = await store({ backend, branch: side });
            for (let i = 0; i < step.commits; i++) {
              b.w = n++;
              await b.commit();
            }
            s.v = n++;
            await s.commit();
            await s.merge(side);
          } else if (step.op === "resetBack") {
            const line = await collect(s.history());
            await s.resetTo(line[Math.min(step.steps, line.length - 1)]);
          } else {
            await s.refresh();
            await s.rebase({ keepKeys: s.keys() });
          }
        }
        const remote = await store({ backend: remoteLike(backend) });
        // Start from every commit of the line: odd and even depths, merges, the root.
        for (const from of await naiveLine(s, s.currentCommit)) {
          const expected = await naiveLine(s, from);
          expect(await collect(s.history(from))).toEqual(expected);
          expect(await collect(remote.history(from))).toEqual(expected);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("splits a long line into chunks anywhere without losing or repeating an id", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    for (let j = 0; j < 1030; j++) {
      s.h = j;
      await s.commit();
    }
    const expected = await naiveLine(s, s.currentCommit);
    expect(expected).toHaveLength(1031);
    // Starting at odd and even depths moves where the chunk boundaries fall in the pairs.
    for (const start of [0, 1, 254, 255, 256, 257]) {
      expect(await collect(s.history(expected[start]))).toEqual(expected.slice(start));
    }
  });

  it("walks the same line on the disk backend, which looks commits up by their hex ids", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvgit-walk-"));
    try {
      const s = await store({ kind: "disk", path: dir });
      s.setDefaultMerge((_b, ours) => ours);
      for (let j = 0; j < 300; j++) {
        s.h = j;
        await s.commit();
        if (j % 50 === 25) {
          const side = `side${j}`;
          await s.createBranch(side);
          const b = await store({ kind: "disk", path: dir, branch: side });
          b.w = j;
          await b.commit();
          await b.close();
          s.h = -j;
          await s.commit();
          await s.merge(side);
        }
      }
      const line = await naiveLine(s, s.currentCommit);
      for (const start of [0, 1, 2, 3, 100, 255, 256, 257, line.length - 3, line.length - 1]) {
        expect(await collect(s.history(line[start]))).toEqual(line.slice(start));
      }
      await s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** A line of 12 commits; `line[line.length - d]` is the commit at depth d. */
  async function line12(): Promise<{ backend: MemoryStore; s: Staged; line: string[] }> {
    const backend = new MemoryStore();
    const s = await store({ backend });
    for (let j = 0; j < 12; j++) {
      s.h = j;
      await s.commit({ message: `commit ${j}` });
    }
    return { backend, s, line: await naiveLine(s, s.currentCommit) };
  }

  it("a damaged shortcut to the grandparent costs only the shortcut: the walk steps to the parent", async () => {
    const { backend, line } = await line12();
    const depth6 = line[line.length - 6];
    const bytes = backend.getSync(`c/${depth6}`)!.slice();
    const jump = grandparentOffset(bytes, firstParentOffset(bytes));
    expect(jump).toBeGreaterThan(0);
    bytes.fill(0xab, jump, jump + 20); // names no commit
    await backend.set(`c/${depth6}`, bytes);
    const s = await store({ backend });
    expect(await collect(s.history())).toEqual(line);
  });

  it("a commit cut short inside its line jumps is a FormatError naming it", async () => {
    const { backend, line } = await line12();
    const depth6 = line[line.length - 6];
    const bytes = backend.getSync(`c/${depth6}`)!;
    const jump = grandparentOffset(bytes, firstParentOffset(bytes));
    await backend.set(`c/${depth6}`, bytes.slice(0, jump + 10));
    const s = await store({ backend });
    const err = await collect(s.history()).catch((e) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toContain(depth6);
    expect(err.message).toContain("line jumps");
  });
});
