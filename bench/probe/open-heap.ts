// Heap held by one opened store object of N keys (memory backend), after a full GC.
// Usage: node --expose-gc --import tsx bench/probe/open-heap.ts [N]
import { store, MemoryStore } from "../../src/index.ts";
import { key, value } from "../data.ts";
const N = Number(process.argv[2] ?? 1_000_000);
const backend = new MemoryStore();
{
  const s = await store({ backend });
  for (let i = 0; i < N; i++) s.set(key(i), value(i));
  await s.commit();
}
const gc = (globalThis as { gc: () => void }).gc;
gc();
const before = process.memoryUsage().heapUsed;
const fresh = await store({ backend });
gc();
const after = process.memoryUsage().heapUsed;
console.log(`N=${N}: one open store object holds ${((after - before) / 2 ** 20).toFixed(1)} MB of heap (${fresh.size} keys)`);
