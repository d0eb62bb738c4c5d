// Steady-state cost of s.history() over 1,000 commits, memory backend.
import { store, MemoryStore } from "../../src/index.ts";
const backend = new MemoryStore();
const s = await store({ backend });
for (let j = 0; j < 1000; j++) { s.set("h", j); await s.commit(); }
const times: number[] = [];
for (let r = 0; r < 300; r++) {
  const s2 = await store({ backend });
  const t0 = performance.now();
  const ids: string[] = [];
  for await (const id of s2.history()) ids.push(id);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log("median ms", times[150].toFixed(3), "p10", times[30].toFixed(3));
