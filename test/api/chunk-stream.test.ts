import { describe, expect, it } from "vitest";
import { MemoryStore, RefError, store } from "../../src/index.ts";
import { ChunkStream } from "../../src/api/chunk-stream.ts";

async function storeWithCommits(n: number) {
  const s = await store({ backend: new MemoryStore() });
  for (let j = 0; j < n; j++) {
    s.h = j;
    await s.commit();
  }
  return s;
}

describe("history() as an async iterator", () => {
  it("answers overlapping next() calls in order, across chunk boundaries, then is done", async () => {
    const s = await storeWithCommits(600);
    const expected: string[] = [];
    for await (const id of s.history()) expected.push(id);
    expect(expected).toHaveLength(601);
    const it = s.history()[Symbol.asyncIterator]();
    const results = await Promise.all(Array.from({ length: 700 }, () => it.next()));
    expect(results.slice(0, 601).map((r) => r.value)).toEqual(expected);
    expect(results.slice(601).every((r) => r.done)).toBe(true);
  });

  it("stops the walk on break and starts where the object is at the first next()", async () => {
    const s = await storeWithCommits(300);
    const first: string[] = [];
    for await (const id of s.history()) {
      first.push(id);
      if (first.length === 3) break;
    }
    expect(first[0]).toBe(s.currentCommit);
    const later = s.history();
    s.h = "after";
    await s.commit();
    const ids: string[] = [];
    for await (const id of later) ids.push(id);
    expect(ids[0]).toBe(s.currentCommit);
    expect(ids).toHaveLength(302);
  });

  it("rejects an unknown ref at the first next(), then is done", async () => {
    const s = await storeWithCommits(2);
    const it = s.history("no-such-branch")[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toThrow(RefError);
    await expect(it.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it("skips empty chunks", async () => {
    async function* chunks() {
      yield [];
      yield [1, 2];
      yield [];
      yield [3];
    }
    const out: number[] = [];
    for await (const x of new ChunkStream(async () => chunks())) out.push(x);
    expect(out).toEqual([1, 2, 3]);
  });
});
