// CPU profile of W2-style single-key commits at N keys (memory), after the bulk load:
// `node --expose-gc --import tsx bench/probe/x1-commit-profile.ts N` prints the top
// self-time functions of 2,000 commits.
import { Session } from "node:inspector/promises";
import { store, MemoryStore } from "../../src/index.ts";
import { key, value } from "../data.ts";
const N = Number(process.argv[2] ?? 10_000);
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) s.set(key(i), value(i));
await s.commit();
const writer = await store({ backend });
const commitRound = async (r: number) => {
  for (let j = 0; j < 200; j++) {
    const idx = (j * 7919 + r) % N;
    writer.set(key(idx), { ...value(idx), score: j + r });
    await writer.commit();
  }
};
for (let r = 0; r < 3; r++) await commitRound(r); // warm up
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 50 });
await session.post("Profiler.start");
const t0 = performance.now();
for (let r = 3; r < 13; r++) await commitRound(r);
const ms = performance.now() - t0;
const { profile } = await session.post("Profiler.stop");
const self = new Map<string, number>();
const dt = profile.timeDeltas ?? [];
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
(profile.samples ?? []).forEach((id, i) => {
  const n = byId.get(id)!;
  const name = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;
  self.set(name, (self.get(name) ?? 0) + (dt[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log(`N=${N}: ${(ms / 2000).toFixed(3)} ms/commit`);
for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
if (process.env.CALLERS) {
  // Who calls the functions named in CALLERS (self time by caller chain, 4 frames up).
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const chains = new Map<string, number>();
  (profile.samples ?? []).forEach((id, i) => {
    if (byId.get(id)!.callFrame.functionName !== process.env.CALLERS) return;
    const names: string[] = [];
    for (let p = parent.get(id); p !== undefined && names.length < 4; p = parent.get(p)) names.push(byId.get(p)!.callFrame.functionName || "(anon)");
    const chain = names.join(" < ");
    chains.set(chain, (chains.get(chain) ?? 0) + (dt[i] ?? 0));
  });
  for (const [chain, us] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${process.env.CALLERS} < ${chain}`);
}
