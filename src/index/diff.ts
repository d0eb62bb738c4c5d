import { alignChildOffsets, alignChildren, type IndexNode } from "./node.ts";
import { hexAt } from "../objects/hash.ts";
import type { NodeSource } from "./node-source.ts";
import { keepShapeAlive } from "../objects/shape-anchor.ts";

/** One key that differs between two trees: its value id on each side (undefined: absent). */
export interface KeyDiff {
  readonly key: string;
  readonly from: string | undefined;
  readonly to: string | undefined;
}

/**
 * Structural diff of two trees, ascending by key. Identical subtrees (same id at the same
 * position) are skipped without being read, so the cost grows with the number of changed
 * keys, not with N. On a remote backend nodes are prefetched level by level first, so it
 * sees a number of round trips that grows with the depth of the index; on an in-process
 * one the diff goes depth first over the bytes of aligned node pairs (`diffAligned`).
 */
export async function diffTrees(nodes: NodeSource, fromRoot: string, toRoot: string): Promise<KeyDiff[]> {
  if (fromRoot === toRoot) return [];
  if (nodes.batches) {
    await prefetchDifferingNodes(nodes, fromRoot, toRoot);
    return diffWalk(nodes, fromRoot, toRoot);
  }
  // In-process backend: depth first from the bytes while the two trees stay aligned, the
  // general walk for any pair of subtrees that does not.
  const out: KeyDiff[] = [];
  const parts: Array<KeyDiff | Unaligned> = [];
  diffAligned(nodes, fromRoot, toRoot, parts);
  await resolveParts(nodes, parts, out);
  return out;
}

/** Appends `parts` to `out` in order, diffing each Unaligned pair with the general walk. */
async function resolveParts(nodes: NodeSource, parts: ReadonlyArray<KeyDiff | Unaligned>, out: KeyDiff[]): Promise<void> {
  for (const part of parts) {
    if (part instanceof Unaligned) for (const d of await diffWalk(nodes, part.a, part.b)) out.push(d);
    else out.push(part);
  }
}

/** A pair of subtrees at the same place that `diffAligned` left to the general walk. */
class Unaligned {
  constructor(
    readonly a: string,
    readonly b: string,
  ) {}
}

/**
 * The diff of two nodes at the same place whose keys are byte-identical (alignChildren):
 * for internal nodes, of each pair of differing children in key order; for leaves, their
 * differing entries. Reads bytes only, never decodes a node or builds the keys of the
 * subtrees it skips, so an internal node costs a byte comparison and a lookup per
 * differing child. A pair that does not align (keys differ, heights differ, a node
 * missing or malformed) goes into `out` as Unaligned, in its place, for the general walk.
 */
function diffAligned(nodes: NodeSource, idA: string, idB: string, out: Array<KeyDiff | Unaligned>): void {
  if (idA === idB) return;
  const bytesA = nodes.bytesSync(idA);
  const bytesB = bytesA && nodes.bytesSync(idB);
  if (!bytesA || !bytesB) out.push(new Unaligned(idA, idB));
  else diffAlignedBytes(nodes, bytesA, bytesB, () => [idA, idB], out);
}

/**
 * `diffAligned` of two nodes read: children are looked up by the 20 bytes their parent
 * stores (no id text is made for them), and `ids` gives the pair's ids only if it does not
 * align.
 */
function diffAlignedBytes(nodes: NodeSource, bytesA: Uint8Array, bytesB: Uint8Array, ids: () => [string, string], out: Array<KeyDiff | Unaligned>): void {
  if (bytesA[0] === 0) {
    const leaves = alignChildren(bytesA, bytesB);
    if (!leaves || leaves.height !== 0) out.push(new Unaligned(...ids()));
    else for (const c of leaves.children) out.push({ key: c.key, from: c.idA, to: c.idB });
    return;
  }
  const offsets = alignChildOffsets(bytesA, bytesB);
  if (!offsets) {
    out.push(new Unaligned(...ids()));
    return;
  }
  for (const at of offsets) {
    const childA = nodes.bytesSyncAt(bytesA, at);
    const childB = childA && nodes.bytesSyncAt(bytesB, at);
    const childIds = (): [string, string] => [hexAt(bytesA, at), hexAt(bytesB, at)];
    if (!childA || !childB) out.push(new Unaligned(...childIds()));
    else diffAlignedBytes(nodes, childA, childB, childIds, out);
  }
}

/** The general walk: two lazily expanded sides compared in key order. */
async function diffWalk(nodes: NodeSource, fromRoot: string, toRoot: string): Promise<KeyDiff[]> {
  const a = new Side(nodes, fromRoot);
  const b = new Side(nodes, toRoot);
  const out: KeyDiff[] = [];
  for (;;) {
    const ha = a.head();
    const hb = b.head();
    if (!ha && !hb) return out;
    if (ha && hb && ha.kind === "ref" && hb.kind === "ref" && a.pos === b.pos) {
      if (ha.id === hb.id) {
        a.consume();
        b.consume();
      } else if (ha.height > hb.height) await a.expand();
      else if (hb.height > ha.height) await b.expand();
      else if (await diffAlignedPair(nodes, ha, hb, out)) {
        a.consume();
        b.consume();
      } else {
        await a.expand();
        await b.expand();
      }
      continue;
    }
    // Act on the side whose head starts first; a ref starts just after its side's pos.
    const order = compareStarts(ha, a.pos, hb, b.pos);
    if (order < 0) {
      if (ha!.kind === "ref") await a.expand();
      else {
        out.push({ key: ha!.key, from: ha!.id, to: undefined });
        a.consume();
      }
    } else if (order > 0) {
      if (hb!.kind === "ref") await b.expand();
      else {
        out.push({ key: hb!.key, from: undefined, to: hb!.id });
        b.consume();
      }
    } else {
      // Two entries with the same key.
      if (ha!.id !== hb!.id) out.push({ key: ha!.key, from: ha!.id, to: hb!.id });
      a.consume();
      b.consume();
    }
  }
}

interface Item {
  kind: "entry" | "ref";
  key: string; // entry key, or the last key of the referenced subtree
  id: string;
  height: number; // height of the referenced node; -1 for entries
}

/** A lazily expanded, in-order stream of one tree's entries and subtree refs. */
class Side {
  private readonly stack: Item[] = [];
  /** Last key consumed on this side (everything <= pos is done); null before the first. */
  pos: string | null = null;

  constructor(
    private readonly nodes: NodeSource,
    root: string,
  ) {
    this.stack.push({ kind: "ref", key: "", id: root, height: Infinity });
  }

  head(): Item | undefined {
    return this.stack[this.stack.length - 1];
  }

  consume(): void {
    const item = this.stack.pop()!;
    if (item.height !== Infinity) this.pos = item.key;
  }

  async expand(): Promise<void> {
    const item = this.stack.pop()!;
    const node: IndexNode = await this.nodes.get(item.id);
    for (let i = node.keys.length - 1; i >= 0; i--) {
      this.stack.push(
        node.height === 0
          ? { kind: "entry", key: node.keys[i], id: node.ids[i], height: -1 }
          : { kind: "ref", key: node.keys[i], id: node.ids[i], height: node.height - 1 },
      );
    }
  }
}

/**
 * In the general walk, two refs at the same place and height with different ids: on an
 * in-process backend, their diff by `diffAligned` (the subtrees cover the same keys when
 * their roots align, so it goes in here, in order). False when the pair itself does not
 * align (or on a remote backend): the walk then expands both.
 */
async function diffAlignedPair(nodes: NodeSource, ha: Item, hb: Item, out: KeyDiff[]): Promise<boolean> {
  if (nodes.batches || ha.height === Infinity) return false;
  const parts: Array<KeyDiff | Unaligned> = [];
  diffAligned(nodes, ha.id, hb.id, parts);
  if (parts.length === 1 && parts[0] instanceof Unaligned && parts[0].a === ha.id) return false;
  await resolveParts(nodes, parts, out);
  return true;
}

// Keeps Side's hidden classes alive between diffs (see objects/shape-anchor.ts).
keepShapeAlive(new Side(undefined as unknown as NodeSource, ""));

/** <0 if a's head starts before b's, >0 if after, 0 for two entries with equal keys. */
function compareStarts(ha: Item | undefined, posA: string | null, hb: Item | undefined, posB: string | null): number {
  if (!ha) return 1;
  if (!hb) return -1;
  if (ha.kind === "entry" && hb.kind === "entry") return ha.key < hb.key ? -1 : ha.key > hb.key ? 1 : 0;
  if (ha.kind === "ref" && hb.kind === "ref") return cmpPos(posA, posB) <= 0 ? -1 : 1;
  if (ha.kind === "ref") return posA === null || cmpKey(hb.key, posA) > 0 ? -1 : 1;
  return posB === null || cmpKey(ha.key, posB) > 0 ? 1 : -1;
}

function cmpPos(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function cmpKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Loads, one batched read per height, every node of either tree that the other tree does
 * not share at the same height. Purely an optimisation: the walk above reads anything
 * still missing on its own.
 */
async function prefetchDifferingNodes(nodes: NodeSource, rootA: string, rootB: string): Promise<void> {
  let frontA = [rootA];
  let frontB = [rootB];
  for (;;) {
    await nodes.prefetch([...frontA, ...frontB]);
    const hA = frontA.length ? (await nodes.get(frontA[0])).height : -1;
    const hB = frontB.length ? (await nodes.get(frontB[0])).height : -1;
    const top = Math.max(hA, hB);
    if (top <= 0) return;
    const childrenA = hA === top ? await childIds(nodes, frontA) : undefined;
    const childrenB = hB === top ? await childIds(nodes, frontB) : undefined;
    // Only the taller side descends; a child the other side also holds at that height
    // (or holds as a whole frontier node) is shared and never read.
    const nextA = childrenA ? without(childrenA, childrenB ?? new Set(frontB)) : frontA;
    const nextB = childrenB ? without(childrenB, childrenA ?? new Set(frontA)) : frontB;
    frontA = nextA;
    frontB = nextB;
  }
}

async function childIds(nodes: NodeSource, ids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const id of ids) for (const child of (await nodes.get(id)).ids) out.add(child);
  return out;
}

function without(set: Set<string>, other: Set<string>): string[] {
  return [...set].filter((id) => !other.has(id));
}
