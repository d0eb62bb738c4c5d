import { store, MemoryStore } from "../../src/index.ts";
const N = 10000;
const key = (i: number) => "k" + String(i).padStart(6, "0");
const value = (i: number) => ({ id: i, name: "user-" + i, tags: ["a", "b"], score: i * 1.5 });
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) s[key(i)] = value(i);
await s.commit();
let open = 0, vals = 0;
const R = Number(process.env.R ?? 100);
for (let r = 0; r < R; r++) {
  (globalThis as any).gc?.();
  const t0 = performance.now();
  const s3 = await store({ backend });
  const t1 = performance.now();
  for (const k of s3.keys()) s3[k];
  const t2 = performance.now();
  open += t1 - t0; vals += t2 - t1;
}
console.log(`open ${(open / R).toFixed(1)} ms, values ${(vals / R).toFixed(1)} ms`);
