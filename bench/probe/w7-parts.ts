import { store, MemoryStore } from "../../src/index.ts";
import { decodeCommit, encodeCommit } from "../../src/versioned/commit-object.ts";
const bytes = encodeCommit({ root: "a".repeat(40), parents: ["b".repeat(40)], generation: 5, time: Date.now() });
const time = (name: string, n: number, f: () => unknown) => {
  for (let i = 0; i < 20000; i++) f();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  console.log(name, (((performance.now() - t0) * 1e6) / n).toFixed(0), "ns");
};
time("decodeCommit", 200000, () => decodeCommit("x", bytes));
const m = new MemoryStore();
await m.set("c/x", bytes);
time("getSync", 200000, () => m.getSync("c/x"));
async function* gen() { for (let i = 0; i < 1000; i++) yield "x"; }
let t0 = performance.now();
for (let r = 0; r < 100; r++) { const a = []; for await (const x of gen()) a.push(x); }
console.log("async gen per item ns", ((performance.now() - t0) * 1e6 / 100000).toFixed(0));
