/**
 * Counters from many writers: several store objects share one backend (here a MemoryStore;
 * the same code works on Redis or PostgreSQL across machines) and increment counters
 * concurrently. Every commit that finds the head moved merges three-way, and the
 * `counter()` content type adds both sides' increments, so the total is exact.
 *
 *   npx tsx examples/counters.ts
 */
import { store, counter, MemoryStore } from "kvgit";

const WORKERS = 4;
const INCREMENTS = 25;
const PAGES = ["home", "pricing", "docs"];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const backend = new MemoryStore();

// Set-up: attach the counter type to every key under "hits/". The policy is stored with the
// branch, so the workers opened below merge these keys as counters without registering anything.
const admin = await store({ backend });
admin.setContentType("hits/", counter(), { prefix: true });
for (const page of PAGES) admin.set(`hits/${page}`, 0);
await admin.commit({ message: "create counters" });

// Several writers, each its own store object on the shared backend.
const workers = await Promise.all(Array.from({ length: WORKERS }, () => store({ backend })));
console.log(`${WORKERS} workers; hits/home merges as "${workers[0].getContentType("hits/home")?.name}"`);

const strategies: Record<string, number> = {};
await Promise.all(
  workers.map(async (w, n) => {
    for (let i = 0; i < INCREMENTS; i++) {
      const key = `hits/${PAGES[(n + i) % PAGES.length]}`;
      w.set(key, (w.get(key) as number) + 1); // read-modify-write on a possibly stale value
      await sleep(Math.random() * 3); // some work between reading and committing
      const r = await w.commit({ message: `worker ${n} #${i}` });
      strategies[r.strategy] = (strategies[r.strategy] ?? 0) + 1;
    }
  }),
);
console.log(`commits by strategy: ${JSON.stringify(strategies)}`);

// Read the result from a fresh object: every increment is there.
await admin.refresh();
const counts = Object.fromEntries(PAGES.map((p) => [p, admin.get(`hits/${p}`) as number]));
const total = Object.values(counts).reduce((a, b) => a + b, 0);
console.log(`counts: ${JSON.stringify(counts)}`);
console.log(`total = ${total} (expected ${WORKERS * INCREMENTS})`);
if (total !== WORKERS * INCREMENTS) throw new Error("lost an increment");

for (const w of workers) await w.close();
await admin.close();
