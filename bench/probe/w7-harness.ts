// W7 as the harness runs it (1 warm-up + 9 recorded: reopen, open, gc, timed history walk
// in an async function), printing each iteration's ms; with V8 tracing flags the trace
// lines fall between the "iteration" markers. Usage:
//   node --expose-gc [--trace-opt --trace-deopt] --import tsx bench/probe/w7-harness.ts
import { store, MemoryStore, type Staged } from "../../src/index.ts";
const backend = new MemoryStore();
const s = await store({ backend });
for (let j = 0; j < 1000; j++) {
  s.set("h", j);
  await s.commit();
}
async function historyIds(st: Staged): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of st.history()) ids.push(id);
  return ids;
}
const gc = (globalThis as { gc?: () => void }).gc!;
const times: string[] = [];
for (let i = 0; i < Number(process.env.R ?? 10); i++) {
  const fresh = await store({ backend });
  if (!process.env.NOGC) gc();
  console.log(`--- iteration ${i} start`);
  const t0 = performance.now();
  const ids = await historyIds(fresh);
  const ms = performance.now() - t0;
  console.log(`--- iteration ${i} end ${ms.toFixed(3)} ms`);
  times.push(ms.toFixed(3));
  if (ids.length !== 1001) throw new Error("bad walk");
}
console.log("w7", times.join(" "));
