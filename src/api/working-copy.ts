import type { Versioned } from "../versioned/versioned.ts";
import type { IndexNode } from "../index/node.ts";
import { diffTrees, scanLeafIds, scanLeaves, type KeyDiff } from "../index/keyset-index.ts";
import { FormatError } from "../errors.ts";
import { StringIndex } from "../kv/string-index.ts";
import { prefixRange } from "./sorted-keys.ts";

/** A committed entry as a move brings it in: the value id and, when already at hand, its bytes. */
export interface CommittedEntry {
  readonly id: string;
  readonly bytes?: Uint8Array;
  /** The value's encoded size, when the bytes are not at hand but the size is needed. */
  readonly size?: number;
}

/** The entries to set (with bytes) and keys to drop to move a working copy to `root`. */
export interface WorkingCopyUpdate {
  readonly root: string;
  readonly set: ReadonlyMap<string, CommittedEntry>;
  readonly removed: readonly string[];
  /** The key count and total value size at `root`, when the planner knew them (IndexedWorkingCopy). */
  readonly keyCount?: number;
  readonly totalBytes?: number;
}

/** The changes of a fast-forward commit: new value ids by key (null: removed), and how many keys are new. */
export interface KnownChanges {
  readonly changes: ReadonlyMap<string, { readonly id: string; readonly bytes: Uint8Array } | null>;
  readonly newKeys: number;
}

/**
 * The committed state a `Staged` reads synchronously, at one keyset root: a loaded
 * `WorkingCopy`, or an `IndexedWorkingCopy` for a big store on an in-process backend
 * (see load-committed.ts). Moves are planned (reads, may fail) and then applied (in
 * memory, cannot fail), so a failed operation leaves the view where it was.
 */
export interface CommittedView {
  readonly root: string;
  /** The committed entry of `key` (its value id), or undefined. */
  get(key: string): { readonly id: string } | undefined;
  /** The committed value of `key`, or ABSENT. */
  read(key: string): unknown;
  has(key: string): boolean;
  readonly size: number;
  /** Keys starting with `prefix`, ascending, as a new array. */
  keys(prefix?: string): string[];
  /** Encoded size of `key`'s value (0 if absent). */
  sizeOf(key: string): number;
  /** Total encoded size of all values. */
  totalBytes(): number;
  /** Forgets decoded values (when how keys decode may have changed). */
  forgetDecoded(): void;
  /**
   * Reads what moving to `root` needs, without changing anything. `known`: the changes
   * that lead from this view's root to `root` (a fast-forward commit), so a view that can
   * use them need not diff the two trees; `diff`: the diff from this view's root to `root`
   * when a change record holds it, so the trees are not read.
   */
  planMove(root: string, known?: KnownChanges, diff?: readonly KeyDiff[]): Promise<WorkingCopyUpdate>;
  /** Applies a planned update; pure in-memory, cannot fail halfway. */
  apply(update: WorkingCopyUpdate): void;
}

/**
 * Stores up to this many keys decode their values when opened, so every read is a lookup;
 * larger ones decode each value on its first read, keeping a big store quick to open and
 * its heap small until values are actually used.
 */
export const DECODE_AT_OPEN_LIMIT = 100_000;

/** Marks a key the working copy does not hold. */
export const ABSENT: unique symbol = Symbol("kvgit.absent");

/** Marks a slot whose value is not decoded and kept (not yet read, or not shareable). */
const UNDECODED: unique symbol = Symbol("kvgit.undecoded");

/**
 * A decoded committed value. `share: true` says the value may be kept and handed to every
 * later read (it is deep-frozen, see frozen-value.ts); otherwise each read decodes.
 */
export interface DecodedValue {
  value: unknown;
  share: boolean;
}

/** Decodes committed values (see value-decoder.ts for why this is an object, not a function). */
export interface ValueDecoder {
  decode(key: string, bytes: Uint8Array): DecodedValue;
}

/** A leaf as `load` reads it; with its bytes and id offsets when values are read by raw id. */
interface LoadedLeaf {
  readonly leaf: IndexNode;
  readonly bytes?: Uint8Array;
  readonly idOffsets?: readonly number[];
}

/**
 * The committed state a `Staged` reads synchronously: every key of one keyset root with
 * its value id and — for shareable (JSON-like) values — the decoded value. Loaded once at
 * open (values decoded up front, see DECODE_AT_OPEN_LIMIT); then moved between roots by
 * structural diffs, so only changed entries are ever re-read (and decoded on first read).
 *
 * Layout: one index from key to a slot number (a `StringIndex`: inserting every key of a
 * store is the bulk of opening it, and it does that faster than a Map), and
 * parallel arrays indexed by slot. A key costs no object of its own (its key and id
 * strings are the index nodes'), which keeps opening cheap for the allocator and a
 * million-key working copy cheap for the GC.
 * On an in-process backend (`syncReads`) value bytes are never kept: they are re-read
 * from the backend when needed; on a remote backend they are fetched with the move.
 */
export class WorkingCopy implements CommittedView {
  private readonly slots = new StringIndex();
  private readonly ids: (string | undefined)[] = [];
  /** The decoded, deep-frozen value of a shared entry, else UNDECODED. */
  private readonly values: unknown[] = [];
  /** Value bytes (remote backends only). */
  private readonly bytes: (Uint8Array | undefined)[] = [];
  /** Slots freed by removed keys, for reuse. */
  private readonly free: number[] = [];
  private sortedKeys: string[] | undefined;
  /**
   * Sum of value sizes, once something asked for it; then kept up to date by `apply` with
   * the per-slot sizes, so a move never has to re-read a value it is dropping (which
   * garbage collection may already have removed from the backend).
   */
  private total: number | undefined;
  private readonly sizes: number[] = [];
  private readonly syncReads: boolean;

  private constructor(
    private readonly versioned: Versioned,
    private readonly decoder: ValueDecoder,
    public root: string,
  ) {
    this.syncReads = versioned.objects.syncReads;
  }

  /**
   * Loads all entries of `root` (one batched read per index level plus one for values) and
   * decodes the values up front. A value that fails to decode is left for its first read
   * to report: one bad value never makes a store unopenable.
   */
  static async load(versioned: Versioned, root: string, decoder: ValueDecoder): Promise<WorkingCopy> {
    const copy = new WorkingCopy(versioned, decoder, root);
    // On a backend that looks objects up by the 20 bytes of their id (the memory backend),
    // each value is read by the bytes its leaf stores, skipping the hex text a lookup by id
    // would parse again (a third of the cost of opening 10,000 keys).
    const leaves: LoadedLeaf[] =
      copy.syncReads && versioned.objects.rawIdReads
        ? (await scanLeafIds(versioned.nodes, root)).map((id) => {
            const idOffsets: number[] = [];
            return { ...versioned.nodes.leafWithOffsetsSync(id, idOffsets), idOffsets };
          })
        : (await scanLeaves(versioned.nodes, root)).map((leaf) => ({ leaf }));
    const fetched = copy.syncReads ? undefined : await fetchValues(versioned, leaves.flatMap((l) => l.leaf.ids));
    let count = 0;
    for (const { leaf } of leaves) count += leaf.keys.length;
    const decodeNow = count <= DECODE_AT_OPEN_LIMIT;
    // Leaves hold their keys in ascending order, so their concatenation is keys().
    const sorted: string[] = new Array(count);
    let slot = 0;
    for (const l of leaves) slot = copy.addLeaf(l, slot, sorted, fetched, decodeNow);
    copy.sortedKeys = sorted;
    return copy;
  }

  /**
   * Adds one leaf's entries from `slot` on (kept small so the JIT optimises it early). With
   * the leaf's bytes, values are looked up by the id bytes at `idOffsets` in them.
   */
  private addLeaf({ leaf, bytes: leafBytes, idOffsets }: LoadedLeaf, slot: number, sorted: string[], fetched: Map<string, Uint8Array> | undefined, decodeNow: boolean): number {
    const { keys, ids } = leaf;
    const objects = this.versioned.objects;
    for (let i = 0; i < keys.length; i++, slot++) {
      const key = keys[i];
      const id = ids[i];
      sorted[slot] = key;
      this.slots.set(key, slot);
      this.ids.push(id);
      let bytes: Uint8Array | undefined;
      if (fetched) {
        bytes = fetched.get(id);
        this.bytes.push(bytes);
      } else {
        bytes = leafBytes ? objects.getSyncAt("v", leafBytes, idOffsets![i]) : decodeNow ? objects.getSyncView("v", id) : objects.getSync("v", id);
        if (!bytes) throw missingValue(id);
      }
      this.values.push(decodeNow ? this.decodeShared(key, bytes, id) : UNDECODED);
    }
    return slot;
  }

  /** Decodes a value at open: the value if it is shareable, else UNDECODED (also on failure, which the first read reports). */
  private decodeShared(key: string, bytes: Uint8Array | undefined, id: string): unknown {
    if (!bytes) throw missingValue(id);
    try {
      const decoded = this.decoder.decode(key, bytes);
      return decoded.share ? decoded.value : UNDECODED;
    } catch {
      return UNDECODED;
    }
  }

  /** Reads what moving to `root` needs (diff + changed values), without changing anything. */
  async planMove(root: string, _known?: KnownChanges, recorded?: readonly KeyDiff[]): Promise<WorkingCopyUpdate> {
    const versioned = this.versioned;
    const diff = recorded ?? (await diffTrees(versioned.nodes, this.root, root));
    const lazy = this.syncReads;
    const ids = lazy ? [] : diff.filter((d) => d.to !== undefined).map((d) => d.to!);
    const values = await fetchValues(versioned, ids);
    const set = new Map<string, CommittedEntry>();
    const removed: string[] = [];
    for (const d of diff) {
      if (d.to === undefined) removed.push(d.key);
      else if (!lazy) set.set(d.key, { id: d.to, bytes: values.get(d.to)! });
      else set.set(d.key, this.total === undefined ? { id: d.to } : { id: d.to, size: this.readBytes(d.to).length });
    }
    return { root, set, removed };
  }

  /** Applies a planned update; pure in-memory, cannot fail halfway. */
  apply(update: WorkingCopyUpdate): void {
    // New values' sizes come with the update (planMove read them), so this never reads.
    const newSizes = this.total === undefined ? undefined : [...update.set.values()].map((e) => e.bytes?.length ?? e.size ?? this.readBytes(e.id).length);
    let keysChanged = false;
    for (const key of update.removed) {
      const slot = this.slots.get(key);
      if (slot === undefined) continue;
      this.slots.delete(key);
      if (this.total !== undefined) this.total -= this.sizes[slot];
      this.ids[slot] = undefined;
      this.values[slot] = undefined;
      this.bytes[slot] = undefined;
      this.free.push(slot);
      keysChanged = true;
    }
    let n = 0;
    for (const [key, entry] of update.set) {
      let slot = this.slots.get(key);
      if (slot === undefined) {
        slot = this.free.pop() ?? this.ids.length;
        this.slots.set(key, slot);
        keysChanged = true;
      } else if (this.total !== undefined) this.total -= this.sizes[slot];
      if (newSizes) {
        this.sizes[slot] = newSizes[n++];
        this.total! += this.sizes[slot];
      }
      this.ids[slot] = entry.id;
      this.values[slot] = UNDECODED;
      // In-process backends re-read bytes on demand: keeping them would double the memory.
      this.bytes[slot] = this.syncReads ? undefined : entry.bytes;
    }
    if (keysChanged) this.sortedKeys = undefined;
    this.root = update.root;
  }

  /** The committed entry of `key` (its value id), or undefined. */
  get(key: string): { readonly id: string } | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : { id: this.ids[slot]! };
  }

  /** The committed value of `key`, or ABSENT. Shared values are decoded once. */
  read(key: string): unknown {
    const slot = this.slots.get(key);
    if (slot === undefined) return ABSENT;
    const kept = this.values[slot];
    if (kept !== UNDECODED) return kept;
    const { value, share } = this.decoder.decode(key, this.bytesAt(slot));
    if (share) this.values[slot] = value;
    return value;
  }

  /** Forgets decoded values (when how keys decode may have changed). */
  forgetDecoded(): void {
    for (const slot of this.slots.values()) this.values[slot] = UNDECODED;
  }

  private bytesAt(slot: number): Uint8Array {
    return this.bytes[slot] ?? this.readBytes(this.ids[slot]!);
  }

  private readBytes(id: string): Uint8Array {
    const bytes = this.versioned.objects.getSync("v", id);
    if (!bytes) throw missingValue(id);
    return bytes;
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  get size(): number {
    return this.slots.size;
  }

  /** Keys starting with `prefix`, ascending (the sorted list is cached between changes). */
  keys(prefix = ""): string[] {
    return prefixRange((this.sortedKeys ??= [...this.slots.keys()].sort()), prefix);
  }

  /** Encoded size of `key`'s value (0 if absent). */
  sizeOf(key: string): number {
    const slot = this.slots.get(key);
    if (slot === undefined) return 0;
    return this.total !== undefined ? this.sizes[slot] : this.bytesAt(slot).length;
  }

  /** Total encoded size of all values (computed once, then maintained). */
  totalBytes(): number {
    if (this.total === undefined) {
      let total = 0;
      for (const slot of this.slots.values()) total += this.sizes[slot] = this.bytesAt(slot).length;
      this.total = total;
    }
    return this.total;
  }
}

async function fetchValues(versioned: Versioned, ids: string[]): Promise<Map<string, Uint8Array>> {
  const values = await versioned.objects.getMany("v", ids);
  for (const id of ids) if (!values.has(id)) throw missingValue(id);
  return values;
}

export function missingValue(id: string): FormatError {
  return new FormatError(`value ${id} is missing from the backend; the store is incomplete or was garbage-collected while in use`, { id });
}
