// CPU profile of W2-style single-key commits at N keys (memory), after the bulk load:
// `node --expose-gc --import tsx bench/probe/x1-commit-profile.ts N` prints the top
// self-time functions of 2,000 commits; CALLERS=<function name> also prints its callers.
import { store, MemoryStore } from "../../src/index.ts";
import { key, value } from "../data.ts";
import { printSelfTime } from "./cpu-profile.ts";
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
let ms = 0;
await printSelfTime(
  async () => {
    const t0 = performance.now();
    for (let r = 3; r < 13; r++) await commitRound(r);
    ms = performance.now() - t0;
    console.log(`N=${N}: ${(ms / 2000).toFixed(3)} ms/commit`);
  },
  { callersOf: process.env.CALLERS },
);
