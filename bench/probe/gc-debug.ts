import { store, MemoryStore } from "../../src/index.ts";
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < 100; i++) s.set(`k${i}`, i);
await s.commit();
for (let j = 0; j < 10; j++) { s.set(`k${j}`, -j); await s.commit(); }
console.log("before", backend.stats());
console.log("nothing", await s.cleanOrphans({ minAgeMs: 0 }));
const r = await s.rebase({ keepKeys: s.keys(), orphanMinAgeMs: 3_600_000 });
console.log("rebase", r.performed, r.newCommit, r.orphansCleaned, await s.listBranches());
console.log("after rebase", backend.stats());
console.log("deleted", await s.cleanOrphans({ minAgeMs: 0 }));
console.log("after gc", backend.stats());
