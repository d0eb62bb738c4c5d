// W2-style single-key commits at N keys (memory), steady state: N from argv.
import { store, MemoryStore } from "../../src/index.ts";
import { key, value } from "../data.ts";
const N = Number(process.argv[2] ?? 10_000);
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) s.set(key(i), value(i));
await s.commit();
const s2 = process.env.WRITER ? s : await store({ backend });
const per: number[] = [];
for (let r = 0; r < 8; r++) {
  (globalThis as any).gc?.();
  const t0 = performance.now();
  for (let j = 0; j < 200; j++) {
    const idx = (j * 7919 + r) % N;
    s2.set(key(idx), { ...value(idx), score: j + r });
    await s2.commit();
  }
  per.push((performance.now() - t0) / 200);
}
per.sort((a, b) => a - b);
console.log(N, "ms/commit median", per[4].toFixed(3), "min", per[0].toFixed(3));
