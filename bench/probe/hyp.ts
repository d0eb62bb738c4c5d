import { store, MemoryStore, type Staged } from "../../src/index.ts";
const backend = new MemoryStore();
const s = await store({ backend });
for (let j = 0; j < 1000; j++) { s.set("h", j); await s.commit(); }
async function historyIds(st: Staged): Promise<string[]> { const ids: string[] = []; for await (const id of st.history()) ids.push(id); return ids; }
const gc = (globalThis as { gc?: () => void }).gc!;
const mode = process.argv[2];
const times: string[] = []; const faults: number[] = [];
for (let i = 0; i < 25; i++) {
  const fresh = await store({ backend });
  gc();
  if (mode === "prefault") { let junk: unknown[] = []; for (let k = 0; k < 20000; k++) junk.push({ a: k, b: [k] }); junk = []; }
  if (mode === "wait") { const e = performance.now() + 3; while (performance.now() < e); }
  if (mode === "touchdata") { let x = 0; for (const b of (backend as any).arena.chunks) for (let k = 0; k < b.length; k += 64) x += b[k]; const ix = (backend as any).buckets.get("c/"); for (let k = 0; k < ix.table.length; k += 16) x += ix.table[k]; for (let k = 0; k < ix.words.length; k += 16) x += ix.words[k]; if (x === -1) console.log(x); }
  if (mode === "touch") { await historyIds(await store({ backend })); }
  const f0 = process.resourceUsage().minorPageFault;
  const t0 = performance.now();
  await historyIds(fresh);
  times.push((performance.now() - t0).toFixed(3));
  faults.push(process.resourceUsage().minorPageFault - f0);
}
console.log(mode, times.slice(10).join(" "), "faults", faults.slice(10).join(","));
