// Paired comparison of two checkouts in one process, for a machine whose speed drifts
// between runs: each round times workload W of checkout A and of checkout B (each after a
// forced GC, on its own memory store, alternating which goes first), so both see the same
// machine state. Prints the medians of rounds 1-9 (as the harness records them) and of
// the later rounds, and how often B was faster. Usage:
//   node --expose-gc --import tsx bench/probe/paired.ts w6|w7|reads|getcalls /path/to/A /path/to/B [rounds]
import { key, value } from "../data.ts";
type Lib = typeof import("../../src/index.ts");
const [workload, dirA, dirB] = process.argv.slice(2);
const rounds = Number(process.argv[5] ?? 30);
const gc = (globalThis as { gc?: () => void }).gc!;

const WORKLOADS: Record<string, (lib: Lib) => Promise<() => Promise<number>>> = {
  // W7: 1,000 commits of s.h = j; timed: collect history() of a fresh store object.
  async w7(lib) {
    const backend = new lib.MemoryStore();
    const s = await lib.store({ backend });
    for (let j = 0; j < 1000; j++) {
      s.set("h", j);
      await s.commit();
    }
    return async () => {
      const fresh = await lib.store({ backend });
      gc();
      const t0 = performance.now();
      const ids: string[] = [];
      for await (const id of fresh.history()) ids.push(id);
      const ms = performance.now() - t0;
      if (ids.length !== 1001) throw new Error("bad walk");
      return ms;
    };
  },
  // W6: bulk load of 10,000 keys; timed: open a store object, list keys, read every value.
  async w6(lib) {
    const backend = await bulkLoaded(lib);
    return timedSum(async () => {
      const fresh = await lib.store({ backend });
      return () => fresh.keys().map((k) => fresh.get(k));
    }, true);
  },
  // W6's read phase alone: s[key] for every key of a store object opened untimed.
  async reads(lib) {
    const backend = await bulkLoaded(lib);
    return timedSum(async () => {
      const fresh = await lib.store({ backend });
      const keys = fresh.keys();
      const d = fresh as unknown as Record<string, unknown>;
      return () => keys.map((k) => d[k]);
    });
  },
  // s.get(key), a method call through the Proxy, for every key.
  async getcalls(lib) {
    const backend = await bulkLoaded(lib);
    return timedSum(async () => {
      const fresh = await lib.store({ backend });
      const keys = fresh.keys();
      return () => keys.map((k) => fresh.get(k));
    });
  },
};

/** A memory backend holding W6's bulk load (10,000 keys, one commit). */
async function bulkLoaded(lib: Lib) {
  const backend = new lib.MemoryStore();
  const s = await lib.store({ backend });
  for (let i = 0; i < 10_000; i++) s.set(key(i), value(i));
  await s.commit();
  return backend;
}

/**
 * An iteration that prepares (untimed unless `timeSetup`), collects garbage, then times
 * `read` (all 10,000 values) and checks it read every value.
 */
function timedSum(prepare: () => Promise<() => unknown[]>, timeSetup = false): () => Promise<number> {
  return async () => {
    if (timeSetup) gc();
    const t0 = performance.now();
    const read = await prepare();
    if (!timeSetup) gc();
    const t1 = performance.now();
    const values = read() as { id: number }[];
    const ms = performance.now() - (timeSetup ? t0 : t1);
    if (values.reduce((sum, v) => sum + v.id, 0) !== (10_000 * 9_999) / 2) throw new Error("bad values");
    return ms;
  };
}

const a = await WORKLOADS[workload]((await import(`${dirA}/src/index.ts`)) as Lib);
const b = await WORKLOADS[workload]((await import(`${dirB}/src/index.ts`)) as Lib);
const ta: number[] = [];
const tb: number[] = [];
for (let r = 0; r < rounds; r++) {
  if (r % 2 === 0) {
    ta.push(await a());
    tb.push(await b());
  } else {
    tb.push(await b());
    ta.push(await a());
  }
}
const med = (x: number[]) => [...x].sort((p, q) => p - q)[x.length >> 1];
const bWins = ta.filter((t, i) => tb[i] < t).length;
console.log(
  `${workload}: A ${med(ta.slice(1, 10)).toFixed(3)} B ${med(tb.slice(1, 10)).toFixed(3)} ms (rounds 1-9)` +
    (rounds > 10 ? ` | later A ${med(ta.slice(10)).toFixed(3)} B ${med(tb.slice(10)).toFixed(3)}` : "") +
    ` | B faster in ${bWins} of ${rounds}`,
);
