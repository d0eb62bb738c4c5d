// IdIndex lookups of 10,000 ids: by hex text (slices of one node-like hex string, as
// decodeNode makes them) vs by their raw 20 bytes. Usage: node --import tsx bench/probe/idindex-lookup.ts
import { randomBytes } from "node:crypto";
import { IdIndex } from "../../src/kv/id-index.ts";
const n = 30_000;
const raw = randomBytes(n * 20);
const index = new IdIndex();
const hexAll = raw.toString("hex");
for (let i = 0; i < n; i++) index.set(hexAll.slice(40 * i, 40 * i + 40), i);
const ids = Array.from({ length: 10_000 }, (_, i) => hexAll.slice(40 * (3 * i), 40 * (3 * i) + 40));
const t = { hex: [] as number[], raw: [] as number[] };
for (let r = 0; r < 50; r++) {
  let t0 = performance.now();
  let sum = 0;
  for (const id of ids) sum += index.get(id)!;
  t.hex.push(performance.now() - t0);
  t0 = performance.now();
  let sum2 = 0;
  for (let i = 0; i < 10_000; i++) sum2 += index.getRaw(raw, 60 * i)!;
  t.raw.push(performance.now() - t0);
  if (sum !== sum2) throw new Error("mismatch");
}
const med = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1];
console.log("hex", med(t.hex.slice(10)).toFixed(3), "ms; raw", med(t.raw.slice(10)).toFixed(3), "ms per 10,000");
