// Which threads use CPU during X1's timed diff (per-thread utime+stime from /proc).
import { memoryBackend } from "../backends.ts";
import { diffFixture } from "../workloads.ts";
import { collectGarbage } from "../timing.ts";
import { readdirSync, readFileSync } from "node:fs";
const n = Number(process.argv[2] ?? 1_000_000);
function threads(): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of readdirSync("/proc/self/task")) {
    try {
      const st = readFileSync(`/proc/self/task/${t}/stat`, "latin1");
      const close = st.lastIndexOf(")");
      const name = st.slice(st.indexOf("(") + 1, close);
      const f = st.slice(close + 2).split(" ");
      m.set(`${t}:${name}`, Number(f[11]) + Number(f[12]));
    } catch {}
  }
  return m;
}
const db = await memoryBackend.create();
const { a, b } = await diffFixture(db, n, 100);
for (let r = 0; r < 8; r++) {
  await db.reopen();
  const fresh = await db.open("main");
  collectGarbage();
  const t0m = threads();
  const t0 = performance.now();
  await fresh.diff(a, b);
  const ms = performance.now() - t0;
  const t1m = threads();
  const busy = [...t1m].map(([k, v]) => [k, v - (t0m.get(k) ?? 0)] as const).filter(([, d]) => d > 0).map(([k, d]) => `${k}=${d * 10}ms`);
  console.log(`diff ${ms.toFixed(2)} | ${busy.join(" ")}`);
}
