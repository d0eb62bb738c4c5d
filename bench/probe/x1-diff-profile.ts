// Self time by function over many steady-state X1 diffs at N keys (fresh engine, so a cold node cache, each).
// Usage: node --import tsx bench/probe/x1-diff-profile.ts [N] [iterations]
import { store, MemoryStore } from "../../src/index.ts";
import { key, value } from "../data.ts";
import { Versioned } from "../../src/versioned/versioned.ts";
import { printSelfTime } from "./cpu-profile.ts";
const N = Number(process.argv[2] ?? 10_000);
const R = Number(process.argv[3] ?? 400);
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) s.set(key(i), value(i));
const a = (await s.commit()).commit;
for (let j = 0; j < 100; j++) { const i = j * (N / 100); s.set(key(i), { ...value(i), score: 1 }); }
const b = (await s.commit()).commit;
for (let r = 0; r < 50; r++) await (await Versioned.open(backend)).diff(a, b);
await printSelfTime(async () => {
  const t0 = performance.now();
  for (let r = 0; r < R; r++) await (await Versioned.open(backend)).diff(a, b);
  console.log(`N=${N}: ${((performance.now() - t0) / R).toFixed(3)} ms per engine open + diff`);
});
