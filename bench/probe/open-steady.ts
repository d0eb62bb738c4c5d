// Steady-state W6 (open + keys + all values, 10,000 keys, memory backend), after JIT warm-up.
import { store, MemoryStore } from "../../src/index.ts";
import { key, value } from "../data.ts";
const N = 10000;
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) s.set(key(i), value(i));
await s.commit();
const times: number[] = [];
for (let r = 0; r < Number(process.env.R ?? 60); r++) {
  (globalThis as any).gc?.();
  const t0 = performance.now();
  const s3 = await store({ backend });
  const keys = s3.keys();
  const values = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) values[i] = (s3 as any)[keys[i]];
  times.push(performance.now() - t0);
  if (process.env.VERBOSE) console.log(`iteration ${r}: ${times[times.length - 1].toFixed(1)} ms`);
}
times.sort((a, b) => a - b);
console.log("median ms", times[times.length >> 1].toFixed(2), "fastest", times[0].toFixed(2));
