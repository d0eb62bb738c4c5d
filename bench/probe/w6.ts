import { store, MemoryStore } from "../../src/index.ts";
const N = 10000;
const key = (i: number) => "k" + String(i).padStart(6, "0");
const value = (i: number) => ({ id: i, name: "user-" + i, tags: ["a", "b"], score: i * 1.5 });
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) s[key(i)] = value(i);
await s.commit();
for (let r = 0; r < 15; r++) {
  const t0 = performance.now();
  const s3 = await store({ backend });
  const t05 = performance.now();
  const ks = s3.keys();
  const t06 = performance.now();
  for (const k of ks) s3[k];
  const t1 = performance.now();
  if (r > 10) console.log(`W6 ${(t1 - t0).toFixed(1)} ms (open ${(t05 - t0).toFixed(1)} keys ${(t06 - t05).toFixed(1)} values ${(t1 - t06).toFixed(1)})`);
}
