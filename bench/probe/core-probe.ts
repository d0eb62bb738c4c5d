import { store, MemoryStore } from "../../src/index.ts";
import { key, value } from "../data.ts";
const N = 10000;
const gc = (globalThis as any).gc ?? (() => {});
async function w1() {
  const backend = new MemoryStore();
  const s = await store({ backend });
  gc();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) s[key(i)] = value(i);
  const t1 = performance.now();
  await s.commit();
  const t2 = performance.now();
  console.log(`W1 stage ${(t1 - t0).toFixed(1)} commit ${(t2 - t1).toFixed(1)} total ${(t2 - t0).toFixed(1)}`);
  return { backend, s };
}
for (let r = 0; r < 3; r++) await w1();
const { backend, s } = await w1();
const before = backend.stats();
gc();
let t0 = performance.now();
for (let j = 0; j < 200; j++) { const idx = (j * 7919) % N; s[key(idx)] = { ...value(idx), score: idx * 1.5 + j + 1 }; await s.commit(); }
let t1 = performance.now();
const after = backend.stats();
console.log(`W2 ${((t1 - t0) / 200).toFixed(3)} ms/commit, growth ${((after.valueBytes - before.valueBytes) / 200).toFixed(0)} B/commit, entries/commit ${((after.entries - before.entries) / 200).toFixed(1)}`);
for (let r = 0; r < 3; r++) {
  const s2 = await store({ backend });
  gc();
  let x = 42, sum = 0;
  t0 = performance.now();
  for (let g = 0; g < 10000; g++) { x = (x * 48271) % 2147483647; sum += (s2[key(x % N)] as any).id; }
  t1 = performance.now();
  console.log(`W3 ${(10000 / ((t1 - t0) / 1000)).toFixed(0)} ops/s`);
}
for (let r = 0; r < 3; r++) {
  gc();
  t0 = performance.now();
  const s3 = await store({ backend });
  const t05 = performance.now();
  const ks = s3.keys();
  for (const k of ks) s3[k];
  t1 = performance.now();
  console.log(`W6 ${(t1 - t0).toFixed(1)} ms (open ${(t05 - t0).toFixed(1)})`);
}
// W7
const hb = new MemoryStore();
const h = await store({ backend: hb });
for (let j = 0; j < 1000; j++) { h.h = j; await h.commit(); }
for (let r = 0; r < 3; r++) {
  const h2 = await store({ backend: hb });
  gc();
  t0 = performance.now();
  const ids: string[] = [];
  for await (const id of h2.history()) ids.push(id);
  t1 = performance.now();
  console.log(`W7 ${(t1 - t0).toFixed(2)} ms for ${ids.length}`);
}
// W5
const base = s.currentCommit;
for (let j = 0; j < 100; j++) s[key(j * 100)] = { ...value(j * 100), score: 1 };
const b2 = (await s.commit()).commit;
for (let r = 0; r < 3; r++) {
  const s5 = await store({ backend });
  gc();
  t0 = performance.now();
  const d = await s5.diff(base, b2);
  t1 = performance.now();
  console.log(`W5 ${(t1 - t0).toFixed(2)} ms, ${d.modified.length} modified`);
}
