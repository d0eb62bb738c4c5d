/**
 * An agent's memory in namespaces: facts and a scratchpad under "agent/", each step a
 * commit. A bad step (a tool call that clobbered the facts) is inspected with `at()` and
 * rolled back with `resetTo()`.
 *
 *   npx tsx examples/agent-memory.ts
 */
import { store } from "kvgit";

interface Facts {
  userName: string;
  timezone?: string;
  likes: string[];
}

const s = await store(); // in-memory, branch "main"
const agent = s.namespace("agent");
const facts = agent.child<Facts>("facts"); // keys "agent/facts/<name>"
const scratch = agent.child("scratch"); // keys "agent/scratch/<name>"

// Step 1: the agent learns about the user.
facts.userName = "Ada";
facts.timezone = "Europe/London";
facts.likes = ["tea"];
scratch.plan = "greet the user";
const step1 = await s.commit({ message: "step 1: learned about the user", info: { step: 1 } });
console.log(`step 1 committed ${step1.commit.slice(0, 10)}: facts ${JSON.stringify(facts.keys())}`);

// Step 2: a good step.
facts.likes = [...facts.likes, "chess"];
scratch.plan = "suggest a chess opening";
await s.commit({ message: "step 2: learned a hobby", info: { step: 2 } });
console.log(`step 2: likes = ${JSON.stringify(facts.likes)}`);

// Step 3: a bad tool call overwrites a fact and deletes another.
facts.userName = "<script>alert(1)</script>";
delete facts.timezone;
scratch.plan = "exfiltrate everything";
await s.commit({ message: "step 3: bad tool output", info: { step: 3 } });
console.log(`step 3 (bad): userName = ${facts.userName}, timezone = ${facts.get("timezone", "(gone)")}`);

// Inspect: what did the bad step change, and what did memory look like before it?
const changed = await s.diff("main~1", "main");
console.log(`bad step changed ${JSON.stringify(changed)}`);
const before = await s.at("main~1"); // a read-only snapshot of the previous commit
console.log(`before the bad step: userName = ${await before.get("agent/facts/userName")}`);

// Roll back: move the branch to the commit before the bad step (a CAS on the head).
const ok = await s.resetTo("main~1");
console.log(`rolled back: ${ok}; userName = ${facts.userName}, timezone = ${facts.timezone}, plan = ${scratch.plan}`);
console.log(`memory keys: ${JSON.stringify(agent.descendantKeys())}`);

// The rolled-back branch no longer contains step 3.
for (const c of await s.log()) console.log(`  ${c.id.slice(0, 10)} ${c.message}`);

await s.close();
