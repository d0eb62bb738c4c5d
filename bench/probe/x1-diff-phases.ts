// Where X1's 1M-key diff time goes: the same diff timed with and without a forced full GC
// just before it, and twice in a row. Usage: node --expose-gc --import tsx bench/probe/x1-diff-phases.ts [N]
import { store, MemoryStore } from "../../src/index.ts";
import { key, value } from "../data.ts";
const N = Number(process.argv[2] ?? 1_000_000);
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) s.set(key(i), value(i));
const a = (await s.commit()).commit;
for (let j = 0; j < 100; j++) {
  const i = j * (N / 100);
  s.set(key(i), { ...value(i), score: 1 });
}
const b = (await s.commit()).commit;
const gc = (globalThis as { gc?: () => void }).gc!;
for (let r = 0; r < 6; r++) {
  const fresh = await store({ backend });
  const fresh2 = await store({ backend });
  if (r % 2 === 0) gc();
  let t = performance.now();
  await fresh.diff(a, b);
  const first = performance.now() - t;
  t = performance.now();
  await fresh2.diff(a, b);
  const second = performance.now() - t;
  console.log(`${r % 2 === 0 ? "gc   " : "no gc"} first ${first.toFixed(2)} ms, second (another fresh store) ${second.toFixed(2)} ms`);
}
