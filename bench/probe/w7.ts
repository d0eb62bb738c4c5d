import { store, MemoryStore } from "../../src/index.ts";
import { Packr } from "msgpackr";
const hb = new MemoryStore();
const h = await store({ backend: hb });
for (let j = 0; j < 1000; j++) { h.h = j; await h.commit(); }
for (let r = 0; r < 20; r++) {
  const h2 = await store({ backend: hb });
  const t0 = performance.now();
  const ids: string[] = [];
  for await (const id of h2.history()) ids.push(id);
  const t1 = performance.now();
  if (r > 15) console.log(`W7 ${(t1 - t0).toFixed(2)} ms for ${ids.length}`);
}
const p = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true, variableMapSize: true });
const b = p.pack({ r: Buffer.alloc(20, 1), p: [Buffer.alloc(20, 2)], g: 3, t: Date.now() });
let t0 = performance.now();
for (let i = 0; i < 100000; i++) p.unpack(b);
console.log("unpack ns", ((performance.now() - t0) * 1e4).toFixed(0));
t0 = performance.now();
for (let i = 0; i < 100000; i++) await hb.get("kvgit");
console.log("memget ns", ((performance.now() - t0) * 1e4).toFixed(0));
