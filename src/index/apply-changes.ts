import type { WriteBatch } from "../objects/object-store.ts";
import { closesNode } from "./chunking.ts";
import type { KeyDiff } from "./diff.ts";
import type { IndexNode } from "./node.ts";
import type { NodeSource } from "./node-source.ts";
import { prefetchPaths } from "./read.ts";
import { keepShapeAlive } from "../objects/shape-anchor.ts";

/** A change to the keyset: set `key` to the value with id `valueId`, or remove it (null). */
export interface KeyChange {
  readonly key: string;
  readonly valueId: string | null;
}

/**
 * Streams items level by level into nodes. Level h receives the items of height-h nodes
 * (entries for leaves, child refs above); a node is emitted when `closesNode` says so and
 * its ref is pushed one level up. Feeding it a sorted entry list from scratch builds the
 * canonical tree; `applyChanges` feeds it the old tree, skipping unchanged subtrees.
 */
class TreeBuilder {
  private readonly levels: { keys: string[]; ids: string[]; received: number }[] = [];

  constructor(
    private readonly nodes: NodeSource,
    private readonly batch: WriteBatch,
  ) {}

  push(height: number, key: string, id: string): void {
    while (this.levels.length <= height) this.levels.push({ keys: [], ids: [], received: 0 });
    const level = this.levels[height];
    level.keys.push(key);
    level.ids.push(id);
    level.received++;
    if (closesNode(key, height, level.keys.length)) this.emit(height);
  }

  /** True when no level below `height` holds an open node. */
  emptyBelow(height: number): boolean {
    for (let h = 0; h < height && h < this.levels.length; h++) if (this.levels[h].keys.length > 0) return false;
    return true;
  }

  private emit(height: number): void {
    const level = this.levels[height];
    const node: IndexNode = { height, keys: level.keys, ids: level.ids };
    level.keys = [];
    level.ids = [];
    const id = this.nodes.put(this.batch, node);
    this.push(height + 1, node.keys[node.keys.length - 1], id);
  }

  /** Closes the open nodes bottom-up; returns the root id. */
  async finish(): Promise<string> {
    for (let h = 0; h < this.levels.length; h++) {
      const level = this.levels[h];
      const top = h === this.levels.length - 1;
      if (top && h > 0 && level.received === 1) {
        // One node at the level below: it is the root, unless it has a single child
        // itself (possible when a reused subtree ends up alone), then descend.
        let rootId = level.ids[0];
        for (;;) {
          const node = await this.nodes.get(rootId);
          if (node.height === 0 || node.ids.length > 1) return rootId;
          rootId = node.ids[0];
        }
      }
      if (level.keys.length > 0) this.emit(h);
    }
    // Nothing was pushed at all: the empty tree is one empty leaf.
    return this.nodes.put(this.batch, { height: 0, keys: [], ids: [] });
  }
}

// Keeps TreeBuilder's hidden classes alive between commits (see objects/shape-anchor.ts).
keepShapeAlive(new TreeBuilder(undefined as unknown as NodeSource, undefined as unknown as WriteBatch));

/**
 * Applies sorted, unique `changes` to the tree at `root` and returns the new root.
 * Writes only the nodes on changed paths (plus neighbours whose boundary moved) into
 * `batch`: O(k log N) for k changes. The result is identical to building the new key set
 * from scratch, which is what makes the index history-independent.
 *
 * With `effective`, appends what really changed, ascending by key — exactly
 * `diffTrees(root, newRoot)`: a change that sets a key to the value it already has, or
 * removes a key that is absent, is left out.
 */
export async function applyChanges(nodes: NodeSource, batch: WriteBatch, root: string, changes: readonly KeyChange[], effective?: KeyDiff[]): Promise<string> {
  if (changes.length === 0) return root;
  // On a remote backend, load the changed paths level by level first: round trips then
  // grow with the depth of the tree, not with the number of changed keys.
  if (nodes.batches && changes.length > 1) await prefetchPaths(nodes, root, changes.map((c) => c.key));
  const builder = new TreeBuilder(nodes, batch);
  await walk(nodes, builder, await nodes.get(root), changes, 0, changes.length, effective);
  return builder.finish();
}

/** Builds a tree from sorted, unique entries. */
export async function buildTree(nodes: NodeSource, batch: WriteBatch, entries: readonly KeyChange[]): Promise<string> {
  const builder = new TreeBuilder(nodes, batch);
  for (const e of entries) if (e.valueId !== null) builder.push(0, e.key, e.valueId);
  return builder.finish();
}

async function walk(
  nodes: NodeSource,
  builder: TreeBuilder,
  node: IndexNode,
  changes: readonly KeyChange[],
  from: number,
  to: number,
  effective: KeyDiff[] | undefined,
): Promise<void> {
  if (node.height === 0) {
    mergeLeaf(builder, node, changes, from, to, effective);
    return;
  }
  let c = from;
  const last = node.keys.length - 1;
  for (let i = 0; i <= last; i++) {
    // Child i holds keys in (keys[i-1], keys[i]]; the last child also takes everything
    // above, up to the bound this node was given.
    const start = c;
    if (i === last) c = to;
    else while (c < to && changes[c].key <= node.keys[i]) c++;
    if (start === c && builder.emptyBelow(node.height)) {
      builder.push(node.height, node.keys[i], node.ids[i]);
    } else {
      await walk(nodes, builder, await nodes.get(node.ids[i]), changes, start, c, effective);
    }
  }
}

function mergeLeaf(builder: TreeBuilder, leaf: IndexNode, changes: readonly KeyChange[], from: number, to: number, effective: KeyDiff[] | undefined): void {
  let i = 0;
  let c = from;
  const n = leaf.keys.length;
  while (i < n || c < to) {
    if (c >= to || (i < n && leaf.keys[i] < changes[c].key)) {
      builder.push(0, leaf.keys[i], leaf.ids[i]);
      i++;
    } else {
      const change = changes[c];
      let old: string | undefined;
      if (i < n && leaf.keys[i] === change.key) old = leaf.ids[i++];
      const now = change.valueId ?? undefined;
      if (now !== undefined) builder.push(0, change.key, now);
      if (effective && old !== now) effective.push({ key: change.key, from: old, to: now });
      c++;
    }
  }
}
