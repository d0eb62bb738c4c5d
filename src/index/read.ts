import type { IndexNode } from "./node.ts";
import type { NodeSource } from "./node-source.ts";

/** Index of the child of an internal node whose key range holds `key`. */
export function childIndexFor(node: IndexNode, key: string): number {
  const keys = node.keys;
  let lo = 0;
  let hi = keys.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Position of `key` in a leaf, or -1. */
export function leafIndexOf(leaf: IndexNode, key: string): number {
  const keys = leaf.keys;
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid];
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The value id stored under `key`, or undefined. One node read per level. */
export async function getValueId(nodes: NodeSource, root: string, key: string): Promise<string | undefined> {
  let node = await nodes.get(root);
  while (node.height > 0) node = await nodes.get(node.ids[childIndexFor(node, key)]);
  const i = leafIndexOf(node, key);
  return i < 0 ? undefined : node.ids[i];
}

/**
 * The value id under `key` and the node ids on its search path, reusing a previous path:
 * once a node on the path equals the previous path's node at the same depth, the rest of
 * the path (and the value) is the same and nothing more is read. Walking a key through a
 * history therefore reads only the nodes that changed on its path.
 */
export async function pathValueId(
  nodes: NodeSource,
  root: string,
  key: string,
  previous: { path: readonly string[]; valueId: string | undefined } | undefined,
): Promise<{ path: string[]; valueId: string | undefined }> {
  const path: string[] = [];
  let id = root;
  for (let depth = 0; ; depth++) {
    if (previous && previous.path[depth] === id) return { path: [...path, ...previous.path.slice(depth)], valueId: previous.valueId };
    path.push(id);
    const node = await nodes.get(id);
    if (node.height === 0) {
      const i = leafIndexOf(node, key);
      return { path, valueId: i < 0 ? undefined : node.ids[i] };
    }
    id = node.ids[childIndexFor(node, key)];
  }
}

/** Value ids for many keys, descending level by level with one batched read per level. */
export async function getValueIds(nodes: NodeSource, root: string, keys: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await descendPaths(nodes, root, keys, out);
  return out;
}

/**
 * Loads every node on the search paths of `keys`, one batched read per level, so a later
 * walk over those paths (applying changes) finds them cached.
 */
export async function prefetchPaths(nodes: NodeSource, root: string, keys: readonly string[]): Promise<void> {
  await descendPaths(nodes, root, keys, undefined);
}

async function descendPaths(nodes: NodeSource, root: string, keys: readonly string[], out: Map<string, string> | undefined): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  let frontier: { id: string; keys: string[] }[] = [{ id: root, keys: sorted }];
  while (frontier.length > 0) {
    await nodes.prefetch(frontier.map((f) => f.id));
    const next = new Map<string, string[]>();
    for (const { id, keys: wanted } of frontier) {
      const node = await nodes.get(id);
      for (const key of wanted) {
        if (node.height === 0) {
          if (!out) break;
          const i = leafIndexOf(node, key);
          if (i >= 0) out.set(key, node.ids[i]);
        } else {
          const child = node.ids[childIndexFor(node, key)];
          const list = next.get(child);
          if (list) list.push(key);
          else next.set(child, [key]);
        }
      }
    }
    frontier = [...next].map(([id, ks]) => ({ id, keys: ks }));
  }
}

/**
 * Every (key, valueId) whose key starts with `prefix`, ascending. Visits only the nodes
 * whose range overlaps the prefix, one batched backend read per level: O(depth + matches).
 */
export async function scanEntries(nodes: NodeSource, root: string, prefix = ""): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const leaf of await scanLeaves(nodes, root, prefix)) {
    for (let i = 0; i < leaf.keys.length; i++) {
      const k = leaf.keys[i];
      if (prefix === "" || k.startsWith(prefix)) out.push([k, leaf.ids[i]]);
    }
  }
  return out;
}

/**
 * The leaves, in key order, that can hold keys starting with `prefix` (every leaf for "").
 * They may also hold keys around the prefix: callers filter.
 */
export async function scanLeaves(nodes: NodeSource, root: string, prefix = ""): Promise<IndexNode[]> {
  const ids = await scanLeafIds(nodes, root, prefix);
  await nodes.prefetch(ids);
  const leaves: IndexNode[] = [];
  for (const id of ids) leaves.push(await nodes.getOnce(id));
  return leaves;
}

/**
 * The ids of the leaves `scanLeaves` returns, in key order, read from the internal nodes
 * alone (one batched read per level on a remote backend); no leaf is read.
 */
export async function scanLeafIds(nodes: NodeSource, root: string, prefix = ""): Promise<string[]> {
  let level: string[] = [root];
  for (let height = (await nodes.get(root)).height; height > 0; height--) {
    await nodes.prefetch(level);
    const next: string[] = [];
    for (const id of level) {
      const node = await nodes.get(id);
      for (let i = 0; i < node.keys.length; i++) {
        if (overlapsPrefix(node, i, prefix)) next.push(node.ids[i]);
      }
    }
    if (next.length === 0) return [];
    level = next;
  }
  return level;
}

/** Child i holds keys in (keys[i-1], keys[i]]: can any of them start with `prefix`? */
export function overlapsPrefix(node: IndexNode, i: number, prefix: string): boolean {
  if (prefix === "") return true;
  if (node.keys[i] < prefix) return false;
  if (i === 0) return true;
  const prev = node.keys[i - 1];
  return prev < prefix || prev.startsWith(prefix);
}
