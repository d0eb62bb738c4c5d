import type { Versioned } from "../versioned/versioned.ts";
import { diffTrees, type KeyDiff } from "../index/keyset-index.ts";
import { countEntriesSync, forEachLeafSync, getValueIdSync, LeafCache, scanKeysSync } from "../index/sync-read.ts";
import { dropOldestHalf } from "../index/evict.ts";
import { ABSENT, missingValue, type CommittedView, type KnownChanges, type ValueDecoder, type WorkingCopyUpdate } from "./working-copy.ts";

/** An index view's move carries only the new root and what it knows of count and size. */
function indexedUpdate(root: string, keyCount: number | undefined, totalBytes: number | undefined): WorkingCopyUpdate {
  return { root, set: new Map(), removed: [], ...(keyCount !== undefined ? { keyCount } : {}), ...(totalBytes !== undefined ? { totalBytes } : {}) };
}

/** Decoded values kept per store object; past this the older half is dropped. */
const MAX_DECODED = 100_000;

/**
 * The committed state of a big store on an in-process backend, read from the index
 * itself: a lookup walks the key's path (upper nodes stay cached), values are decoded on
 * first read and kept in a bounded cache. Opening costs one node read instead of one
 * entry per key, and beyond its bounded caches the store object holds no per-key state,
 * so a million-key store object is cheap to open and leaves the garbage collector almost
 * nothing to trace.
 *
 * The key count and the total value size are computed on first use (a pass over the
 * leaves' headers, or over every value) and then kept up to date by each move.
 */
export class IndexedWorkingCopy implements CommittedView {
  /** Decoded shareable values by key, with the value id they were decoded from. */
  private decoded = new Map<string, { id: string; value: unknown }>();
  private count: number | undefined;
  private total: number | undefined;
  private readonly leaves: LeafCache;

  constructor(
    private readonly versioned: Versioned,
    private readonly decoder: ValueDecoder,
    public root: string,
  ) {
    this.leaves = new LeafCache(versioned.nodes);
  }

  get(key: string): { readonly id: string } | undefined {
    const id = this.idOf(key);
    return id === undefined ? undefined : { id };
  }

  read(key: string): unknown {
    const id = this.idOf(key);
    if (id === undefined) return ABSENT;
    const kept = this.decoded.get(key);
    if (kept !== undefined && kept.id === id) return kept.value;
    const { value, share } = this.decoder.decode(key, this.readBytes(id));
    if (share) this.keep(key, id, value);
    return value;
  }

  has(key: string): boolean {
    return this.idOf(key) !== undefined;
  }

  get size(): number {
    return (this.count ??= countEntriesSync(this.versioned.nodes, this.root));
  }

  keys(prefix = ""): string[] {
    return scanKeysSync(this.versioned.nodes, this.root, prefix);
  }

  sizeOf(key: string): number {
    const id = this.idOf(key);
    return id === undefined ? 0 : this.readBytes(id).length;
  }

  totalBytes(): number {
    if (this.total === undefined) {
      let total = 0;
      forEachLeafSync(this.versioned.nodes, this.root, "", (leaf) => {
        for (const id of leaf.ids) total += this.readBytes(id).length;
      });
      this.total = total;
    }
    return this.total;
  }

  forgetDecoded(): void {
    this.decoded = new Map();
  }

  async planMove(root: string, known?: KnownChanges, recorded?: readonly KeyDiff[]): Promise<WorkingCopyUpdate> {
    if (known) return this.planKnown(root, known);
    const diff = recorded ?? (await diffTrees(this.versioned.nodes, this.root, root));
    let count = this.count;
    let total = this.total;
    for (const d of diff) {
      if (count !== undefined) count += (d.to === undefined ? -1 : 0) + (d.from === undefined ? 1 : 0);
      if (total !== undefined) {
        // A dropped value may already be swept by another process's GC: then the total is
        // simply measured again when next asked for.
        const before = d.from === undefined ? 0 : this.versioned.objects.getSync("v", d.from)?.length;
        total = before === undefined ? undefined : total - before + (d.to === undefined ? 0 : this.readBytes(d.to).length);
      }
    }
    return indexedUpdate(root, count, total);
  }

  /** `planMove` from a fast-forward's own changes: no diff, so no leaf of the new tree is read. */
  private planKnown(root: string, { changes, newKeys }: KnownChanges): WorkingCopyUpdate {
    let removed = 0;
    let total = this.total;
    for (const [key, change] of changes) {
      if (change === null) removed++;
      if (total !== undefined) total += (change?.bytes.length ?? 0) - this.sizeOf(key);
    }
    return indexedUpdate(root, this.count === undefined ? undefined : this.count + newKeys - removed, total);
  }

  apply(update: WorkingCopyUpdate): void {
    this.root = update.root;
    this.count = update.keyCount;
    this.total = update.totalBytes;
  }

  private idOf(key: string): string | undefined {
    return getValueIdSync(this.versioned.nodes, this.root, key, this.leaves);
  }

  private readBytes(id: string): Uint8Array {
    const bytes = this.versioned.objects.getSync("v", id);
    if (!bytes) throw missingValue(id);
    return bytes;
  }

  private keep(key: string, id: string, value: unknown): void {
    if (this.decoded.size >= MAX_DECODED) dropOldestHalf(this.decoded);
    this.decoded.set(key, { id, value });
  }
}
