// W6 exactly as the harness runs it (bulk load, 1 warm-up + 9 iterations, gc before each), per-iteration times.
import { store, MemoryStore } from "../../src/index.ts";
import { key, value } from "../data.ts";
const N = 10000;
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) (s as any)[key(i)] = value(i);
await s.commit();
const totals: number[] = [];
for (let r = 0; r < Number(process.env.R ?? 10); r++) {
  (globalThis as any).gc?.();
  const t0 = performance.now();
  const s3 = await store({ backend });
  const t1 = performance.now();
  const keys = s3.keys();
  const d = s3 as any;
  const values = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) values[i] = d[keys[i]];
  const t2 = performance.now();
  if (r > 0) totals.push(t2 - t0);
  if (process.env.VERBOSE) console.log(`open ${(t1 - t0).toFixed(1)} keys+values ${(t2 - t1).toFixed(1)} total ${(t2 - t0).toFixed(1)}`);
  if (values[N - 1].id !== N - 1) throw new Error("bad");
}
totals.sort((a, b) => a - b);
console.log("median of recorded", totals[totals.length >> 1].toFixed(2));
