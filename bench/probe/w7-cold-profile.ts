// Self time by function over W7's first ten cold walks (as the harness runs them: fresh
// store object, gc() before each). Usage: node --expose-gc --import tsx bench/probe/w7-cold-profile.ts
import { store, MemoryStore } from "../../src/index.ts";
import { Session } from "node:inspector/promises";
const backend = new MemoryStore();
const s = await store({ backend });
for (let j = 0; j < 1000; j++) {
  s.set("h", j);
  await s.commit();
}
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 20 });
const self = new Map<string, number>();
let total = 0;
const times: string[] = [];
for (let r = 0; r < 10; r++) {
  const fresh = await store({ backend });
  (globalThis as { gc?: () => void }).gc?.();
  await session.post("Profiler.start");
  const t0 = performance.now();
  const ids: string[] = [];
  for await (const id of fresh.history()) ids.push(id);
  times.push((performance.now() - t0).toFixed(2));
  const { profile } = await session.post("Profiler.stop");
  if (r === 0) continue;
  const byId = new Map(profile.nodes.map((x: any) => [x.id, x]));
  profile.samples!.forEach((id: number, i: number) => {
    const x: any = byId.get(id);
    const name = `${x.callFrame.functionName || "(anon)"} ${x.callFrame.url.split("/").pop()}:${x.callFrame.lineNumber + 1}`;
    if (x.callFrame.functionName === "dispatch") return; // the profiler stopping
    const d = (profile.timeDeltas![i] ?? 0) / 1000;
    total += d;
    self.set(name, (self.get(name) ?? 0) + d);
  });
}
console.log("walks (ms, with profiler):", times.join(" "));
for (const [k, v] of [...self].sort((x, y) => y[1] - x[1]).slice(0, 20)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}% ${k}`);
