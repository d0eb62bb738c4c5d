import { store, MemoryStore } from "../../src/index.ts";
const key = (i: number) => "k" + String(i).padStart(7, "0");
const value = (i: number) => ({ id: i, name: "user-" + i, tags: ["a", "b"], score: i * 1.5 });
for (const N of [10_000, 1_000_000]) {
  const backend = new MemoryStore();
  const s = await store({ backend });
  for (let i = 0; i < N; i++) s.set(key(i), value(i));
  const a = (await s.commit()).commit;
  for (let j = 0; j < 100; j++) s.set(key(j * (N / 100)), { ...value(j * (N / 100)), score: -1 });
  const b = (await s.commit()).commit;
  const times: number[] = [];
  const commitTimes: number[] = [];
  for (let r = 0; r < 7; r++) {
    const s2 = await store({ backend });
    (globalThis as any).gc();
    const t0 = performance.now();
    const d = await s2.diff(a, b);
    times.push(performance.now() - t0);
    if (d.modified.length !== 100) throw new Error("bad diff");
    (globalThis as any).gc();
    const t1 = performance.now();
    for (let c = 0; c < 50; c++) { s2.set(key((c * 7919) % N), { c }); await s2.commit(); }
    commitTimes.push((performance.now() - t1) / 50);
  }
  times.sort((x, y) => x - y);
  commitTimes.sort((x, y) => x - y);
  console.log(N, "diff median ms", times[3].toFixed(2), "all", times.map((t) => t.toFixed(1)).join(" "), "commit ms", commitTimes[3].toFixed(3));
}
