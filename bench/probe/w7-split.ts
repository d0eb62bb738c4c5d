// After a forced GC, as W7 times it: (1) the first-parent walk alone (chunks of ids, no
// per-id await), (2) a for-await over a ChunkStream of 1,001 ready ids (no walk), (3) both
// (s.history()). Usage: node --expose-gc --import tsx bench/probe/w7-split.ts [rounds]
import { store, MemoryStore } from "../../src/index.ts";
import { Versioned } from "../../src/versioned/versioned.ts";
import { ChunkStream } from "../../src/api/chunk-stream.ts";
const backend = new MemoryStore();
const s = await store({ backend });
for (let j = 0; j < 1000; j++) {
  s.set("h", j);
  await s.commit();
}
const head = s.currentCommit;
const engine = await Versioned.open(backend);
const ready: string[] = [];
for await (const id of s.history()) ready.push(id);
const gc = (globalThis as { gc?: () => void }).gc!;
const rounds = Number(process.argv[2] ?? 30);
const t = { walk: [] as number[], stream: [] as number[], history: [] as number[] };
async function time(kind: keyof typeof t, fn: () => Promise<number>) {
  if (!process.env.NOGC) gc();
  const t0 = performance.now();
  const n = await fn();
  t[kind].push(performance.now() - t0);
  if (n !== 1001) throw new Error(kind);
}
for (let r = 0; r < rounds; r++) {
  await time("walk", async () => {
    let n = 0;
    for await (const chunk of engine.commits.walkIds(head, false)) n += chunk.length;
    return n;
  });
  await time("stream", async () => {
    const ids: string[] = [];
    const stream = new ChunkStream<string>(async () => (async function* () {
      for (let i = 0; i < ready.length; i += 256) yield ready.slice(i, i + 256);
    })());
    for await (const id of stream) ids.push(id);
    return ids.length;
  });
  const fresh = await store({ backend });
  await time("history", async () => {
    const ids: string[] = [];
    for await (const id of fresh.history()) ids.push(id);
    return ids.length;
  });
}
const med = (x: number[]) => [...x].sort((p, q) => p - q)[x.length >> 1];
for (const [k, v] of Object.entries(t)) console.log(k.padEnd(8), "rounds 1-9", med(v.slice(1, 10)).toFixed(3), "late", med(v.slice(10)).toFixed(3));
