// W6's read phase alone: s.get(key) for every key of a freshly opened 10,000-key store,
// after a forced GC (as W6 times it), and through the Proxy (s[key]) with keys read once
// before (no first-access internalisation). Usage: node --expose-gc --import tsx bench/probe/read-loop.ts
import { store, MemoryStore } from "../../src/index.ts";
import { key, value } from "../data.ts";
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < 10_000; i++) s.set(key(i), value(i));
await s.commit();
const gc = (globalThis as { gc?: () => void }).gc!;
const t: Record<string, number[]> = { "get after gc": [], "get again": [], "s[key] again": [] };
for (let r = 0; r < Number(process.env.R ?? 40); r++) {
  const s3 = await store({ backend });
  const keys = s3.keys();
  const vals = new Array(keys.length);
  gc();
  let t0 = performance.now();
  for (let i = 0; i < keys.length; i++) vals[i] = s3.get(keys[i]);
  t["get after gc"].push(performance.now() - t0);
  t0 = performance.now();
  for (let i = 0; i < keys.length; i++) vals[i] = s3.get(keys[i]);
  t["get again"].push(performance.now() - t0);
  const d = s3 as unknown as Record<string, unknown>;
  t0 = performance.now();
  for (let i = 0; i < keys.length; i++) vals[i] = d[keys[i]];
  t["s[key] again"].push(performance.now() - t0);
}
const med = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1];
for (const [k, v] of Object.entries(t)) console.log(k.padEnd(14), med(v.slice(10)).toFixed(3), "ms / 10,000");
