/**
 * Time travel: walk the history, read old versions with `at(ref)`, compare commits with
 * `diff`, list the commits that changed one key with `keyHistory`, and prove a value at an
 * old commit with `prove` / `verifyProof` (checked with no store at hand).
 *
 *   npx tsx examples/time-travel.ts
 */
import { store, verifyProof } from "kvgit";

const s = await store();

// Three days of a small price list.
s.set("price/apple", 1.2).set("price/pear", 0.9);
await s.commit({ message: "monday", info: { day: 1 } });
s.set("price/apple", 1.25).set("price/plum", 2.0);
await s.commit({ message: "tuesday", info: { day: 2 } });
s.set("price/apple", 1.1);
s.delete("price/pear");
await s.commit({ message: "wednesday", info: { day: 3 } });

// history() yields commit ids newest first; log() gives their details.
const ids: string[] = [];
for await (const id of s.history()) ids.push(id);
console.log(`history: ${ids.length} commits (the oldest is the empty initial commit)`);
for (const c of await s.log({ limit: 3 })) console.log(`  ${c.id.slice(0, 10)} ${c.message} ${JSON.stringify(c.info)}`);

// Refs: a branch name, a full id, a unique prefix of 7+ characters, and ~N (N first parents back).
const monday = ids[2];
const tuesday = await s.at("main~1");
console.log(`main~1 is tuesday: ${tuesday.commit === ids[1]}; prefix ${monday.slice(0, 7)} is monday: ${(await s.commitInfo(monday.slice(0, 7))).message === "monday"}`);

// Snapshots are read-only views of a commit (reads are async: they go to the index).
const old = await s.at(monday);
console.log(`monday: ${JSON.stringify(Object.fromEntries(await old.entries()))}`);
console.log(`today:  ${JSON.stringify(Object.fromEntries(s.entries()))}`);
console.log(`tuesday apple = ${await tuesday.get("price/apple")}, pear on tuesday? ${await tuesday.has("price/pear")}`);

// diff(a, b): keys added, removed and modified going from a to b (sorted).
console.log(`diff monday..main: ${JSON.stringify(await s.diff(monday, "main"))}`);

// keyHistory(key): the commits that changed one key, newest first.
const appleChanges = await s.keyHistory("price/apple");
console.log(`price/apple changed in: ${appleChanges.map((c) => c.message).join(", ")}`);
const pearChanges = await s.keyHistory("price/pear");
console.log(`price/pear changed in: ${pearChanges.map((c) => c.message).join(", ")}`);

// Equal contents give an equal root hash: put monday's prices back and compare roots.
s.set("price/apple", 1.2).set("price/pear", 0.9);
s.delete("price/plum");
await s.commit({ message: "thursday: back to monday's prices" });
console.log(`thursday's root equals monday's: ${(await s.at("main")).root === old.root}`);

// A proof that price/apple was 1.25 on tuesday, as plain JSON anyone can check.
const proof = await s.prove("price/apple", { at: "main~2" });
const shipped = JSON.parse(JSON.stringify(proof));
console.log(`proof of ${proof.key} = ${proof.value} at root ${proof.root.slice(0, 10)}: valid ${verifyProof(shipped)}`);
console.log(`tampered proof (value 0.01): valid ${verifyProof({ ...shipped, value: 0.01 })}`);
const absent = await s.prove("price/plum", { at: monday });
console.log(`absence proof of price/plum on monday: present ${absent.present}, valid ${verifyProof(absent)}`);

await s.close();
