// Per-node costs of X1's 100-key diff at N keys, in steady state: backend lookup of the
// nodes the diff reads, decoding them, and the diff walk over cached nodes.
// Usage: node --expose-gc --import tsx bench/probe/x1-node-costs.ts [N]
import { store, MemoryStore } from "../../src/index.ts";
import { Versioned } from "../../src/versioned/versioned.ts";
import { decodeNode } from "../../src/index/node.ts";
import { diffTrees } from "../../src/index/diff.ts";
import { key, value } from "../data.ts";
const N = Number(process.argv[2] ?? 1_000_000);
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) s.set(key(i), value(i));
const a = (await s.commit()).commit;
for (let j = 0; j < 100; j++) s.set(key(j * (N / 100)), { ...value(j * (N / 100)), score: 1 });
const b = (await s.commit()).commit;
const engine = await Versioned.open(backend);
const ids: string[] = [];
const orig = engine.objects.getSync.bind(engine.objects);
(engine.objects as any).getSync = (kind: any, id: string) => { if (kind === "n") ids.push(id); return orig(kind, id); };
await engine.diff(a, b);
(engine.objects as any).getSync = orig;
const [ca, cb] = [await engine.commits.get(a), await engine.commits.get(b)];
const med = (xs: number[]) => xs.sort((x, y) => x - y)[xs.length >> 1];
const lookup: number[] = [], decode: number[] = [], walk: number[] = [], cold: number[] = [];
const bytes = ids.map((id) => orig("n", id)!.slice());
for (let r = 0; r < 200; r++) {
  let t = performance.now();
  for (const id of ids) orig("n", id);
  lookup.push(performance.now() - t);
  t = performance.now();
  for (let i = 0; i < ids.length; i++) decodeNode(bytes[i], ids[i]);
  decode.push(performance.now() - t);
  t = performance.now();
  await diffTrees(engine.nodes, ca.root, cb.root);
  walk.push(performance.now() - t);
  const e2 = await Versioned.open(backend);
  t = performance.now();
  await e2.diff(a, b);
  cold.push(performance.now() - t);
}
console.log(`N=${N}: ${ids.length} nodes; medians over 200: lookup ${med(lookup).toFixed(3)} ms, decode ${med(decode).toFixed(3)} ms, walk (cached) ${med(walk).toFixed(3)} ms, cold engine diff ${med(cold).toFixed(3)} ms`);
