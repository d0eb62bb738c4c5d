import { memoryBackend } from "../backends.ts";
import { diffFixture } from "../workloads.ts";
import { collectGarbage } from "../timing.ts";
import v8 from "node:v8";
const n = Number(process.argv[2] ?? 1_000_000);
const db = await memoryBackend.create();
const { a, b } = await diffFixture(db, n, 100);
if (process.env.SETTLE) { collectGarbage(); await new Promise((r) => setTimeout(r, Number(process.env.SETTLE))); }
for (let r = 0; r < 12; r++) {
  await db.reopen();
  const fresh = await db.open("main");
  const h0 = v8.getHeapStatistics();
  collectGarbage();
  const h = v8.getHeapStatistics();
  const ru0 = process.resourceUsage();
  const t0 = performance.now();
  await fresh.diff(a, b);
  const ms = performance.now() - t0;
  const ru1 = process.resourceUsage();
  console.log(`diff ${ms.toFixed(2)} ms cpu ${((ru1.userCPUTime + ru1.systemCPUTime - ru0.userCPUTime - ru0.systemCPUTime) / 1000).toFixed(1)} | before gc: total ${(h0.total_heap_size/1e6).toFixed(0)} used ${(h0.used_heap_size/1e6).toFixed(0)} ext ${(h0.external_memory/1e6).toFixed(0)} | after: total ${(h.total_heap_size/1e6).toFixed(0)} used ${(h.used_heap_size/1e6).toFixed(0)} malloced ${(h.malloced_memory/1e6).toFixed(1)} rss ${(process.memoryUsage().rss/1e6).toFixed(0)}`);
}
