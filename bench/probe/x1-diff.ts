// X1's W5 shape at N keys: diff(a, b) on a freshly opened store, gc before each; per-iteration ms.
import { store, MemoryStore } from "../../src/index.ts";
import { key, value } from "../data.ts";
const N = Number(process.argv[2] ?? 1_000_000);
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) s.set(key(i), value(i));
const a = (await s.commit()).commit;
for (let j = 0; j < 100; j++) { const i = j * (N / 100); s.set(key(i), { ...value(i), score: 1 }); }
const b = (await s.commit()).commit;
const times: number[] = [];
for (let r = 0; r < Number(process.env.R ?? 6); r++) {
  const t0 = performance.now();
  const fresh = await store({ backend });
  const openMs = performance.now() - t0;
  (globalThis as any).gc();
  if (process.env.SLEEP) await new Promise((r) => setTimeout(r, Number(process.env.SLEEP)));
  if (process.env.MARK) console.log("-- diff start");
  const ru0 = process.resourceUsage();
  const t = performance.now();
  const d = await fresh.diff(a, b);
  const ru1 = process.resourceUsage();
  if (process.env.MARK) console.log("-- diff end");
  times.push(performance.now() - t);
  console.log(`open ${openMs.toFixed(0)} ms; diff ${times[times.length - 1].toFixed(2)} ms (${d.modified.length} modified) minflt ${ru1.minorPageFault - ru0.minorPageFault} user ${((ru1.userCPUTime - ru0.userCPUTime) / 1000).toFixed(1)} sys ${((ru1.systemCPUTime - ru0.systemCPUTime) / 1000).toFixed(1)} vcsw ${ru1.voluntaryContextSwitches - ru0.voluntaryContextSwitches} ivcsw ${ru1.involuntaryContextSwitches - ru0.involuntaryContextSwitches}`);
}
