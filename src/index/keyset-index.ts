/** The keyset index: a prolly tree mapping user keys to value ids (SPEC §3). */
export { applyChanges, buildTree, type KeyChange } from "./apply-changes.ts";
export { diffTrees, type KeyDiff } from "./diff.ts";
export { EMPTY_ROOT, NodeSource } from "./node-source.ts";
export { getValueId, getValueIds, pathValueId, scanEntries, scanLeafIds, scanLeaves } from "./read.ts";
export { provePath, verifyPath } from "./proof.ts";
export type { IndexNode } from "./node.ts";
