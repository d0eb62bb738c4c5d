// X1 W2-shape at N keys: per-loop ms/commit plus GC pauses inside each timed loop (PerformanceObserver).
import { PerformanceObserver } from "node:perf_hooks";
import { store, MemoryStore } from "../../src/index.ts";
import { key, value } from "../data.ts";
const N = Number(process.argv[2] ?? 10_000);
const backend = new MemoryStore();
const s = await store({ backend });
let t = performance.now();
for (let i = 0; i < N; i++) s.set(key(i), value(i));
await s.commit();
console.log(`setup ${(performance.now() - t).toFixed(0)} ms`, process.memoryUsage().heapUsed >> 20, "MB heap");
let gcMs = 0, gcCount = 0, gcKinds: Record<string, number> = {};
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) { gcMs += e.duration; gcCount++; const k = String((e as any).detail?.kind); gcKinds[k] = (gcKinds[k] ?? 0) + e.duration; }
});
obs.observe({ entryTypes: ["gc"] });
const per: number[] = [];
const inspector = process.env.PROF || process.env.PROF1 ? await import("node:inspector/promises") : undefined;
const session = inspector ? new inspector.Session() : undefined;
if (session) { session.connect(); await session.post("Profiler.enable"); await session.post("Profiler.setSamplingInterval", { interval: 200 }); if (process.env.PROF) await session.post("Profiler.start"); }
for (let r = 0; r < Number(process.env.LOOPS ?? 6); r++) {
  if (!process.env.NOGC) (globalThis as any).gc?.();
  await new Promise((res) => setTimeout(res, Number(process.env.SLEEP ?? 10)));
  gcMs = 0; gcCount = 0; gcKinds = {};
  const each: number[] = [];
  const t0 = performance.now();
  for (let j = 0; j < 200; j++) {
    const idx = (j * 7919) % N;
    s.set(key(idx), { ...value(idx), score: j + r * 1000 });
    if (process.env.PROF1 && r === 0 && j === 1) { await session!.post("Profiler.start"); }
    const c0 = performance.now();
    await s.commit();
    if (process.env.PROF1 && r === 0 && j === 1) { const { profile } = await session!.post("Profiler.stop"); (await import("node:fs")).writeFileSync(process.env.PROF1!, JSON.stringify(profile)); }
    each.push(performance.now() - c0);
    if (process.env.SLOW && performance.now() - c0 > 3) console.log(`    slow commit ${j}: ${(performance.now() - c0).toFixed(1)} ms`);
  }
  const ms = (performance.now() - t0) / 200;
  await new Promise((res) => setTimeout(res, 10));
  per.push(ms);
  const sorted = [...each].sort((a, b) => a - b);
  const top = sorted.slice(-5).reverse().map((x) => x.toFixed(1)).join(",");
  console.log(`  p50 ${sorted[100].toFixed(3)} p90 ${sorted[180].toFixed(3)} top5 ${top}; sum of top5 / 200 = ${(sorted.slice(-5).reduce((a, b) => a + b, 0) / 200).toFixed(3)}`);
  console.log(`loop ${r}: ${ms.toFixed(3)} ms/commit; gc ${gcCount}x ${gcMs.toFixed(1)} ms`, JSON.stringify(gcKinds));
}
if (session && process.env.PROF) { const { profile } = await session.post("Profiler.stop"); (await import("node:fs")).writeFileSync(process.env.PROF!, JSON.stringify(profile)); }
per.sort((a, b) => a - b);
console.log(N, "median", per[per.length >> 1].toFixed(3), "min", per[0].toFixed(3));
