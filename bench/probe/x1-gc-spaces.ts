// Heap spaces after the harness's forced gc() at N keys (what V8's helpers sweep afterwards).
import { memoryBackend } from "../backends.ts";
import { diffFixture } from "../workloads.ts";
import { collectGarbage } from "../timing.ts";
import v8 from "node:v8";
const n = Number(process.argv[2] ?? 1_000_000);
const db = await memoryBackend.create();
const { a, b } = await diffFixture(db, n, 100);
for (let r = 0; r < 6; r++) {
  await db.reopen();
  const fresh = await db.open("main");
  collectGarbage();
  const sp = v8.getHeapSpaceStatistics().map((s) => `${s.space_name.replace("_space", "")} ${(s.space_size / 1e6).toFixed(1)}/${(s.space_used_size / 1e6).toFixed(1)}`).join(" ");
  const ru0 = process.resourceUsage();
  const t0 = performance.now();
  await fresh.diff(a, b);
  const ms = performance.now() - t0;
  const ru1 = process.resourceUsage();
  console.log(`diff ${ms.toFixed(2)} user ${((ru1.userCPUTime - ru0.userCPUTime) / 1000).toFixed(1)} sys ${((ru1.systemCPUTime - ru0.systemCPUTime) / 1000).toFixed(1)} | ${sp}`);
}
