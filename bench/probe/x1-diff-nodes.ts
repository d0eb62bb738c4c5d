// X1's W5 shape: how many index nodes a 100-key diff reads at N keys (work, not time).
// Usage: node --import tsx bench/probe/x1-diff-nodes.ts [N]
import { store, MemoryStore } from "../../src/index.ts";
import { Versioned } from "../../src/versioned/versioned.ts";
import { key, value } from "../data.ts";
const N = Number(process.argv[2] ?? 1_000_000);
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) s.set(key(i), value(i));
const a = (await s.commit()).commit;
for (let j = 0; j < 100; j++) s.set(key(j * (N / 100)), { ...value(j * (N / 100)), score: 1 });
const b = (await s.commit()).commit;
const engine = await Versioned.open(backend); // a fresh node cache
const diff = await engine.diff(a, b);
console.log(`N=${N}: ${diff.length} keys differ; ${engine.nodes.reads} index nodes read (both trees)`);
