import type { NodeSource } from "./node-source.ts";
import type { IndexNode } from "./node.ts";
import { dropOldestHalf } from "./evict.ts";
import { childIndexFor, leafIndexOf, overlapsPrefix } from "./read.ts";

/*
 * Reads that never await, for in-process backends (`NodeSource.syncReads`): a dict-like
 * read of a store too big to hold in memory (`s[key]`, `key in s`, `keys()`) is answered
 * from the index itself, and such reads are synchronous.
 */

/**
 * Recently read leaves, for one reader: a bounded few, so reads near each other decode a
 * leaf once, while reading a whole big store does not keep every leaf in the heap (the
 * shared node cache keeps only internal nodes from these reads).
 */
export class LeafCache {
  private readonly leaves = new Map<string, IndexNode>();

  constructor(
    private readonly nodes: NodeSource,
    private readonly max = 1024,
  ) {}

  get(id: string): IndexNode {
    const hit = this.leaves.get(id) ?? this.nodes.cached(id);
    if (hit) return hit;
    const leaf = this.nodes.getOnceSync(id);
    if (this.leaves.size >= this.max) dropOldestHalf(this.leaves);
    this.leaves.set(id, leaf);
    return leaf;
  }
}

/** The value id stored under `key`, or undefined. One node per level; leaves through `leaves`. */
export function getValueIdSync(nodes: NodeSource, root: string, key: string, leaves: LeafCache): string | undefined {
  let node = nodes.getSync(root);
  while (node.height > 1) node = nodes.getSync(node.ids[childIndexFor(node, key)]);
  if (node.height === 1) node = leaves.get(node.ids[childIndexFor(node, key)]);
  const i = leafIndexOf(node, key);
  return i < 0 ? undefined : node.ids[i];
}

/**
 * Visits, in key order, every leaf that can hold keys starting with `prefix` (all leaves
 * for ""): O(depth + matches) nodes, each read without entering the node cache.
 */
export function forEachLeafSync(nodes: NodeSource, root: string, prefix: string, visit: (leaf: IndexNode) => void): void {
  const node = nodes.getOnceSync(root);
  if (node.height === 0) visit(node);
  else for (let i = 0; i < node.keys.length; i++) if (overlapsPrefix(node, i, prefix)) forEachLeafSync(nodes, node.ids[i], prefix, visit);
}

/** Every key starting with `prefix`, ascending. */
export function scanKeysSync(nodes: NodeSource, root: string, prefix = ""): string[] {
  const out: string[] = [];
  forEachLeafSync(nodes, root, prefix, (leaf) => {
    for (const k of leaf.keys) if (prefix === "" || k.startsWith(prefix)) out.push(k);
  });
  return out;
}

/** Number of keys in the tree: internal nodes are read, leaves only for their entry count. */
export function countEntriesSync(nodes: NodeSource, root: string): number {
  const node = nodes.getSync(root);
  if (node.height === 0) return node.keys.length;
  let count = 0;
  if (node.height === 1) for (const leaf of node.ids) count += nodes.leafSizeSync(leaf);
  else for (const child of node.ids) count += countEntriesSync(nodes, child);
  return count;
}
