import type { Versioned } from "../versioned/versioned.ts";
import { diffTrees, scanLeaves } from "../index/keyset-index.ts";
import { FormatError } from "../errors.ts";

export interface CommittedEntry {
  readonly id: string;
  /** The value's bytes; absent until first read when the backend reads synchronously. */
  bytes?: Uint8Array;
  /** True once `value` holds the decoded, deep-frozen value (JSON-like values only). */
  shared?: boolean;
  value?: unknown;
}

/** The entries to set (with bytes) and keys to drop to move a working copy to `root`. */
export interface WorkingCopyUpdate {
  readonly root: string;
  readonly set: ReadonlyMap<string, CommittedEntry>;
  readonly removed: readonly string[];
}

/**
 * Stores up to this many keys decode their values when opened, so every read is a lookup;
 * larger ones decode each value on its first read, keeping a big store quick to open and
 * its heap small until values are actually used.
 */
export const DECODE_AT_OPEN_LIMIT = 100_000;

/** Marks a key the working copy does not hold. */
export const ABSENT: unique symbol = Symbol("kvgit.absent");

/**
 * Decodes one committed value. `share: true` says the value may be kept and handed to
 * every later read (it is deep-frozen, see frozen-value.ts); otherwise each read decodes.
 */
export type ValueDecoder = (key: string, bytes: Uint8Array) => { value: unknown; share: boolean };

/**
 * The committed state a `Staged` reads synchronously: every key of one keyset root with
 * its value id, bytes and — for shareable (JSON-like) values — the decoded value. Loaded
 * once at open (values decoded up front, see DECODE_AT_OPEN_LIMIT); then moved between
 * roots by structural diffs, so only changed entries are ever re-read (and decoded on
 * first read).
 * On an in-process backend the bytes of changed entries are fetched on first read.
 */
export class WorkingCopy {
  private sortedKeys: string[] | undefined;
  /** Sum of value sizes, once something asked for it; then kept up to date by `apply`. */
  private total: number | undefined;

  private constructor(
    private readonly versioned: Versioned,
    private readonly decoder: ValueDecoder,
    public root: string,
    readonly entries: Map<string, CommittedEntry>,
  ) {}

  /**
   * Loads all entries of `root` (one batched read per index level plus one for values) and
   * decodes the values up front. A value that fails to decode is left for its first read
   * to report: one bad value never makes a store unopenable.
   */
  static async load(versioned: Versioned, root: string, decoder: ValueDecoder): Promise<WorkingCopy> {
    const leaves = await scanLeaves(versioned.nodes, root);
    const objects = versioned.objects;
    const fetched = objects.syncReads ? undefined : await fetchValues(versioned, leaves.flatMap((l) => l.ids));
    const entries = new Map<string, CommittedEntry>();
    let count = 0;
    for (const leaf of leaves) count += leaf.keys.length;
    const decodeNow = count <= DECODE_AT_OPEN_LIMIT;
    for (const leaf of leaves) {
      const { keys, ids } = leaf;
      for (let i = 0; i < keys.length; i++) {
        const id = ids[i];
        if (!decodeNow) {
          const bytes = fetched ? fetched.get(id) : objects.getSync("v", id);
          if (!bytes) throw missingValue(id);
          entries.set(keys[i], { id, bytes, shared: false, value: undefined });
          continue;
        }
        // Decode straight from the backend's bytes; keep a copy only of values that are
        // decoded again on every read (a shared value's bytes are re-read if ever needed).
        const view = fetched ? fetched.get(id) : objects.getSyncView("v", id);
        if (!view) throw missingValue(id);
        const entry: CommittedEntry = { id, bytes: undefined, shared: false, value: undefined };
        try {
          const decoded = decoder(keys[i], view);
          if (decoded.share) {
            entry.shared = true;
            entry.value = decoded.value;
          }
        } catch {
          // reported by the first read of this key
        }
        // (Bytes fetched from a remote backend are kept: they cannot be re-read synchronously.)
        if (fetched) entry.bytes = view;
        else if (!entry.shared) entry.bytes = view.slice();
        entries.set(keys[i], entry);
      }
    }
    return new WorkingCopy(versioned, decoder, root, entries);
  }

  /** Reads what moving to `root` needs (diff + changed values), without changing anything. */
  async planMove(root: string): Promise<WorkingCopyUpdate> {
    const versioned = this.versioned;
    const diff = await diffTrees(versioned.nodes, this.root, root);
    const lazy = versioned.objects.syncReads;
    const ids = lazy ? [] : diff.filter((d) => d.to !== undefined).map((d) => d.to!);
    const values = await fetchValues(versioned, ids);
    const set = new Map<string, CommittedEntry>();
    const removed: string[] = [];
    for (const d of diff) {
      if (d.to === undefined) removed.push(d.key);
      else set.set(d.key, lazy ? { id: d.to } : { id: d.to, bytes: values.get(d.to)! });
    }
    return { root, set, removed };
  }

  /** Applies a planned update; pure in-memory, cannot fail halfway. */
  apply(update: WorkingCopyUpdate): void {
    if (this.total !== undefined) {
      for (const key of update.removed) if (this.entries.has(key)) this.total -= this.sizeOf(key);
      for (const key of update.set.keys()) if (this.entries.has(key)) this.total -= this.sizeOf(key);
    }
    for (const key of update.removed) this.entries.delete(key);
    for (const [key, entry] of update.set) this.entries.set(key, entry);
    if (this.total !== undefined) for (const key of update.set.keys()) this.total += this.sizeOf(key);
    if (update.removed.length > 0 || update.set.size > 0) this.sortedKeys = undefined;
    this.root = update.root;
  }

  get(key: string): CommittedEntry | undefined {
    return this.entries.get(key);
  }

  /** The committed value of `key`, or ABSENT. Shared values are decoded once. */
  read(key: string): unknown {
    const entry = this.entries.get(key);
    if (entry === undefined) return ABSENT;
    if (entry.shared) return entry.value;
    const { value, share } = this.decoder(key, entry.bytes ?? this.bytesOf(key)!);
    if (share) {
      entry.shared = true;
      entry.value = value;
    }
    return value;
  }

  /** Forgets decoded values (when how keys decode may have changed). */
  forgetDecoded(): void {
    for (const entry of this.entries.values()) {
      entry.shared = false;
      entry.value = undefined;
    }
  }

  /** The committed bytes of `key` (fetched synchronously on first use when lazy). */
  bytesOf(key: string): Uint8Array | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.bytes) return entry.bytes;
    const bytes = this.versioned.objects.getSync("v", entry.id);
    if (!bytes) throw missingValue(entry.id);
    return (entry.bytes = bytes);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Keys in ascending order (cached between changes). */
  keys(): readonly string[] {
    return (this.sortedKeys ??= [...this.entries.keys()].sort());
  }

  /** Encoded size of `key`'s value (0 if absent). */
  sizeOf(key: string): number {
    return this.bytesOf(key)?.length ?? 0;
  }

  /** Total encoded size of all values (computed once, then maintained). */
  totalBytes(): number {
    if (this.total === undefined) {
      let total = 0;
      for (const key of this.entries.keys()) total += this.sizeOf(key);
      this.total = total;
    }
    return this.total;
  }

  /** An independent copy (for a second store object on the same commit). */
  clone(): WorkingCopy {
    return new WorkingCopy(this.versioned, this.decoder, this.root, new Map(this.entries));
  }
}

async function fetchValues(versioned: Versioned, ids: string[]): Promise<Map<string, Uint8Array>> {
  const values = await versioned.objects.getMany("v", ids);
  for (const id of ids) if (!values.has(id)) throw missingValue(id);
  return values;
}

function missingValue(id: string): FormatError {
  return new FormatError(`value ${id} is missing from the backend; the store is incomplete or was garbage-collected while in use`, { id });
}
