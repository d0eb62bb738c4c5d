// W7 split: the first-parent walk alone (chunks of ids) vs s.history() item by item, over
// 10 cold iterations as the harness runs them. Usage: node --expose-gc --import tsx bench/probe/w7-phases.ts walk|history
import { store, MemoryStore } from "../../src/index.ts";
import { Versioned } from "../../src/versioned/versioned.ts";
const backend = new MemoryStore();
const s = await store({ backend });
for (let j = 0; j < 1000; j++) {
  s.set("h", j);
  await s.commit();
}
const head = s.currentCommit;
const mode = process.argv[2] ?? "history";
const times: number[] = [];
for (let r = 0; r < Number(process.env.R ?? 10); r++) {
  const fresh = await store({ backend });
  const engine = await Versioned.open(backend);
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now();
  const ids: string[] = [];
  if (mode === "walk") for await (const chunk of engine.commits.walkIds(head, false)) for (const id of chunk) ids.push(id);
  else for await (const id of fresh.history()) ids.push(id);
  times.push(performance.now() - t0);
  if (ids.length !== 1001) throw new Error("bad walk");
}
console.log(mode, times.map((t) => t.toFixed(3)).join(" "));
