// Heap after a full GC with a million-key store: writer + memory backend, backend alone,
// then a fresh store object; and how long gc() takes and how much CPU the GC helper
// threads spend in the 300 ms after it. Usage: node --expose-gc --import tsx bench/probe/heap-after-gc.ts [N]
import { store, MemoryStore } from "../../src/index.ts";
import { key, value } from "../data.ts";
const N = Number(process.argv[2] ?? 1_000_000);
const backend = new MemoryStore();
let s: any = await store({ backend });
for (let i = 0; i < N; i++) s.set(key(i), value(i));
await s.commit();
const gc = (globalThis as any).gc;
const mb = () => { gc(); gc(); return (process.memoryUsage().heapUsed / 1e6).toFixed(0) + " MB heap, ext " + (process.memoryUsage().arrayBuffers / 1e6).toFixed(0) + " MB"; };
console.log("writer + backend:", mb());
s = undefined;
console.log("backend only:", mb());
for (let r = 0; r < 3; r++) {
  const t = performance.now(); gc(); const ms = performance.now() - t;
  const ru0 = process.resourceUsage(); const t1 = performance.now();
  await new Promise((r) => setTimeout(r, 300));
  const ru1 = process.resourceUsage();
  console.log(`gc() ${ms.toFixed(0)} ms; background user in next 300 ms: ${((ru1.userCPUTime - ru0.userCPUTime) / 1000).toFixed(0)} ms`);
}
s = await store({ backend });
console.log("fresh store + backend:", mb());
for (let r = 0; r < 3; r++) {
  const t = performance.now(); gc(); const ms = performance.now() - t;
  const ru0 = process.resourceUsage();
  await new Promise((r) => setTimeout(r, 300));
  const ru1 = process.resourceUsage();
  console.log(`gc() ${ms.toFixed(0)} ms; background user in next 300 ms: ${((ru1.userCPUTime - ru0.userCPUTime) / 1000).toFixed(0)} ms`);
}
