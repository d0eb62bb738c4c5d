/**
 * The main example: `npm run demo`. A versioned store in memory, used like a dict:
 * commits, a branch, a concurrent writer merged three-way with a counter, time travel.
 */
import { store, counter } from "kvgit";

const s = await store(); // in-memory, branch "main"
s["user"] = { name: "alice", since: new Date("2024-01-01") };
s.score = 0;
s.visits = 0;
const seed = await s.commit({ message: "seed" });
console.log(`committed ${seed.commit.slice(0, 12)} (${seed.strategy}): keys ${JSON.stringify(s.keys())}`);

// Branches are cheap named heads.
const dev = await s.createBranch("dev");
dev.score = 999;
await dev.commit({ message: "try a high score" });
console.log(`main.score = ${s.score}, dev.score = ${dev.score}`);

// Two writers on one branch: the second commit merges three-way, and the counter
// content type adds both increments instead of conflicting.
const other = await s.checkout("main");
for (const w of [s, other!]) w.setContentType("visits", counter());
s.visits = (s.visits as number) + 1;
other!.visits = (other!.visits as number) + 2;
await s.commit({ message: "one visit" });
const merged = await other!.commit({ message: "two visits" });
console.log(`second writer: ${merged.strategy}, auto-merged ${JSON.stringify(merged.autoMergedKeys)}, visits = ${other!.visits}`);

// Diff and time travel.
const d = await s.diff(seed.commit, merged.commit);
console.log(`diff seed..now: ${JSON.stringify(d)}`);
const then = await s.at(seed.commit);
console.log(`visits at seed: ${await then.get("visits")}; user since ${(s.user as { since: Date }).since.toISOString().slice(0, 10)}`);

// Merge the branch back and look at the log.
await other!.merge("dev");
console.log(`after merging dev: score = ${other!.score}`);
for (const c of await other!.log({ limit: 4 })) console.log(`  ${c.id.slice(0, 12)} ${c.message ?? ""}`);
await s.close();
