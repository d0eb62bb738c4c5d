// Self time by function over many steady-state X1 diffs at N keys (fresh engine, so a cold node cache, each).
// Usage: node --import tsx bench/probe/x1-diff-profile.ts [N] [iterations]
import { store, MemoryStore } from "../../src/index.ts";
import { key, value } from "../data.ts";
import { Versioned } from "../../src/versioned/versioned.ts";
import { Session } from "node:inspector/promises";
const N = Number(process.argv[2] ?? 10_000);
const R = Number(process.argv[3] ?? 400);
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) s.set(key(i), value(i));
const a = (await s.commit()).commit;
for (let j = 0; j < 100; j++) { const i = j * (N / 100); s.set(key(i), { ...value(i), score: 1 }); }
const b = (await s.commit()).commit;
for (let r = 0; r < 50; r++) await (await Versioned.open(backend)).diff(a, b);
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 50 });
await session.post("Profiler.start");
const t0 = performance.now();
for (let r = 0; r < R; r++) await (await Versioned.open(backend)).diff(a, b);
const wall = (performance.now() - t0) / R;
const { profile } = await session.post("Profiler.stop");
const self = new Map<string, number>();
const byId = new Map(profile.nodes.map((x: any) => [x.id, x]));
let total = 0;
profile.samples!.forEach((id: number, i: number) => {
  const x: any = byId.get(id);
  const name = `${x.callFrame.functionName || "(anon)"} ${x.callFrame.url.split("/").pop()}:${x.callFrame.lineNumber + 1}`;
  const d = (profile.timeDeltas![i] ?? 0) / 1000;
  total += d;
  self.set(name, (self.get(name) ?? 0) + d);
});
console.log(`N=${N}: ${wall.toFixed(3)} ms per engine open + diff`);
for (const [k, v] of [...self].sort((x, y) => y[1] - x[1]).slice(0, 25)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}% ${k}`);
