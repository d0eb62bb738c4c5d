// Paired W7 comparison of two checkouts in one process: each round walks A's history and
// B's history (each after a forced GC, on its own memory store), alternating which goes
// first, so both see the same machine state. Usage:
//   node --expose-gc --import tsx bench/probe/w7-paired.ts /path/to/A /path/to/B [rounds]
const [dirA, dirB] = [process.argv[2], process.argv[3]];
const rounds = Number(process.argv[4] ?? 10);
type Lib = typeof import("../../src/index.ts");
async function setup(dir: string) {
  const lib = (await import(`${dir}/src/index.ts`)) as Lib;
  const backend = new lib.MemoryStore();
  const s = await lib.store({ backend });
  for (let j = 0; j < 1000; j++) {
    s.set("h", j);
    await s.commit();
  }
  return async () => {
    const fresh = await lib.store({ backend });
    (globalThis as { gc?: () => void }).gc!();
    const t0 = performance.now();
    const ids: string[] = [];
    for await (const id of fresh.history()) ids.push(id);
    const ms = performance.now() - t0;
    if (ids.length !== 1001) throw new Error("bad walk");
    return ms;
  };
}
const a = await setup(dirA);
const b = await setup(dirB);
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
console.log(`A ${med(ta.slice(1, 10)).toFixed(3)} B ${med(tb.slice(1, 10)).toFixed(3)} (rounds 1-9)` + (rounds > 10 ? ` | late A ${med(ta.slice(10)).toFixed(3)} B ${med(tb.slice(10)).toFixed(3)}` : ""));
