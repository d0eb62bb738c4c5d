// X1's diff exactly as bench/scaling.ts runs it at one N, printing each iteration's wall
// and process CPU time (CPU above wall: other threads, i.e. the GC's helpers, ran alongside).
import { memoryBackend } from "../backends.ts";
import { diffFixture } from "../workloads.ts";
import { collectGarbage } from "../timing.ts";
import { Session } from "node:inspector/promises";
const n = Number(process.argv[2] ?? 1_000_000);
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });
const db = await memoryBackend.create();
const { a, b } = await diffFixture(db, n, 100);
for (let r = 0; r < 10; r++) {
  await db.reopen();
  const fresh = await db.open("main");
  collectGarbage();
  if (process.env.SLEEP) {
    const q0 = process.resourceUsage();
    await new Promise((r) => setTimeout(r, Number(process.env.SLEEP)));
    const q1 = process.resourceUsage();
    console.log(`  cpu while sleeping ${process.env.SLEEP} ms after gc(): ${((q1.userCPUTime + q1.systemCPUTime - q0.userCPUTime - q0.systemCPUTime) / 1000).toFixed(1)} ms`);
  }
  const ru0 = process.resourceUsage();
  if (process.env.PROFILE) await session.post("Profiler.start");
  const t0 = performance.now();
  await fresh.diff(a, b);
  const ms = performance.now() - t0;
  if (process.env.PROFILE) {
    const { profile } = await session.post("Profiler.stop");
    const self = new Map<string, number>();
    const byId = new Map(profile.nodes.map((x: any) => [x.id, x]));
    profile.samples!.forEach((id: number, i: number) => {
      const x: any = byId.get(id);
      const name = `${x.callFrame.functionName || "(anon)"} ${x.callFrame.url.split("/").pop()}:${x.callFrame.lineNumber}`;
      if (i > 0) self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas![i] ?? 0) / 1000);
    });
    console.log("   " + [...self].sort((x, y) => y[1] - x[1]).slice(0, 6).map(([k, v]) => `${v.toFixed(2)} ${k}`).join("\n   "));
  }
  const ru1 = process.resourceUsage();
  console.log(`diff ${ms.toFixed(2)} ms, cpu ${((ru1.userCPUTime + ru1.systemCPUTime - ru0.userCPUTime - ru0.systemCPUTime) / 1000).toFixed(1)} ms, heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
}
