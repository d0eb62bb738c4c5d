// Profiles W6 as the harness runs it (1 warm-up + 9 iterations): npm run bench shape, cold JIT.
import { store, MemoryStore } from "../../src/index.ts";
import { key, value } from "../data.ts";
const N = 10000;
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) s[key(i)] = value(i);
await s.commit();
for (let r = 0; r < 10; r++) {
  (globalThis as any).gc?.();
  const t0 = performance.now();
  const s3 = await store({ backend });
  const t1 = performance.now();
  for (const k of s3.keys()) s3[k];
  const t2 = performance.now();
  console.log(`open ${(t1 - t0).toFixed(1)} values ${(t2 - t1).toFixed(1)}`);
}
