import { store, MemoryStore } from "../../src/index.ts";
const hb = new MemoryStore();
const h = await store({ backend: hb });
for (let j = 0; j < 1000; j++) { h.h = j; await h.commit(); }
let total = 0;
for (let r = 0; r < 400; r++) {
  const h2 = await store({ backend: hb });
  const t0 = performance.now();
  const ids: string[] = [];
  for await (const id of h2.history()) ids.push(id);
  total += performance.now() - t0;
}
console.log("avg W7 ms", (total / 400).toFixed(3));
