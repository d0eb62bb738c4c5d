/**
 * Feature flags on branches: a rollout is prepared on a branch, reviewed with `diff`,
 * previewed with `tryMerge`, and merged back with `merge`. Main changed one flag in the
 * meantime, so the merge conflicts; `resolution` picks a side.
 *
 *   npx tsx examples/feature-flags.ts
 */
import { store, MergeConflict } from "kvgit";

interface Flags {
  darkMode: boolean;
  newCheckout: boolean;
  checkoutRolloutPercent: number;
  banner: string;
}

const s = await store();
const flags = s.namespace<Flags>("flags");
flags.darkMode = false;
flags.newCheckout = false;
flags.checkoutRolloutPercent = 0;
flags.banner = "";
await s.commit({ message: "initial flags" });

// Prepare the rollout on its own branch; main is untouched.
const rollout = await s.createBranch("rollout-checkout");
const rf = rollout.namespace<Flags>("flags");
rf.newCheckout = true;
rf.checkoutRolloutPercent = 25;
rf.banner = "Try our new checkout!";
await rollout.commit({ message: "roll out the new checkout to 25%" });
console.log(`branches: ${JSON.stringify(await s.listBranches())}; main.newCheckout = ${flags.newCheckout}, rollout.newCheckout = ${rf.newCheckout}`);

// Review: what would the branch change?
const review = await s.diff("main", "rollout-checkout");
console.log(`review: ${JSON.stringify(review)}`);

// Meanwhile on main: an incident halts the rollout percentage, and dark mode ships.
flags.checkoutRolloutPercent = -1; // "frozen"
flags.darkMode = true;
await s.commit({ message: "incident: freeze checkout rollout; ship dark mode" });

// Preview the merge without writing anything.
const preview = await s.tryMerge("rollout-checkout");
for (const c of preview.conflicts) console.log(`conflict on ${c.key}: base ${c.base}, ours ${c.ours}, theirs ${c.theirs}`);

// merge() with the default resolution ("raise") refuses and changes nothing.
try {
  await s.merge("rollout-checkout");
} catch (err) {
  if (!(err instanceof MergeConflict)) throw err;
  console.log(`merge refused: ${err.code} on ${JSON.stringify(err.conflictingKeys)}; main still at percent = ${flags.checkoutRolloutPercent}`);
}

// The incident wins: keep ours for contested keys; everything else merges normally.
const merged = await s.merge("rollout-checkout", { resolution: "ours", message: "merge rollout, keep the freeze" });
console.log(`merged (${merged.strategy}): ${JSON.stringify({ ...flags })}`);

// The merge commit has two parents: main's previous head and the branch.
const info = await s.commitInfo();
console.log(`merge commit ${info.id.slice(0, 10)} "${info.message}" has ${info.parents.length} parents`);

// The branch is done: delete it.
await s.deleteBranch("rollout-checkout");
console.log(`branches after cleanup: ${JSON.stringify(await s.listBranches())}`);

await s.close();
