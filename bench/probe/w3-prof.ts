import { store, MemoryStore } from "../../src/index.ts";
const N = 10000;
const key = (i: number) => "k" + String(i).padStart(6, "0");
const value = (i: number) => ({ id: i, name: "user-" + i, tags: ["a", "b"], score: i * 1.5 });
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) s[key(i)] = value(i);
await s.commit();
let total = 0;
for (let r = 0; r < 60; r++) {
  const s2 = await store({ backend });
  const keys: string[] = [];
  let x = 42;
  for (let g = 0; g < 10000; g++) { x = (x * 48271) % 2147483647; keys.push(key(x % N)); }
  (globalThis as any).gc?.();
  const t0 = performance.now();
  let sum = 0;
  for (const k of keys) sum += (s2[k] as any).id;
  total += performance.now() - t0;
}
console.log("W3 ops/s", (60 * 10000 / (total / 1000)).toFixed(0));
