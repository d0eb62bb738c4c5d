import { store, MemoryStore } from "../../src/index.ts";
const key = (i: number) => "k" + String(i).padStart(7, "0");
const value = (i: number) => ({ id: i, name: "user-" + i, tags: ["a", "b"], score: i * 1.5 });
const N = Number(process.env.N ?? 300_000);
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) s.set(key(i), value(i));
const a = (await s.commit()).commit;
for (let j = 0; j < 100; j++) s.set(key(j * (N / 100)), { ...value(j * (N / 100)), score: -1 });
const b = (await s.commit()).commit;
const { Versioned } = await import("../../src/versioned/versioned.ts");
let total = 0;
for (let r = 0; r < Number(process.env.R ?? 60); r++) {
  const v = await Versioned.open(backend);
  const t0 = performance.now();
  const d = await v.diff(a, b);
  total += performance.now() - t0;
  if (d.length !== 100) throw new Error("bad");
  if (r === 0) console.log("node reads", v.nodes.reads);
}
console.log("avg diff ms (fresh engine, no working copy)", (total / Number(process.env.R ?? 60)).toFixed(2));
