import type { Versioned } from "../versioned/versioned.ts";
import { diffTrees, scanEntries } from "../index/keyset-index.ts";
import { FormatError } from "../errors.ts";
import { freezeIfJsonLike } from "./frozen-value.ts";

export interface CommittedEntry {
  readonly id: string;
  /** The value's bytes; absent until first read when the backend reads synchronously. */
  bytes?: Uint8Array;
  /** The decoded, deep-frozen value once read (JSON-like values only; see frozen-value.ts). */
  frozen?: { readonly value: unknown };
}

/** The entries to set (with bytes) and keys to drop to move a working copy to `root`. */
export interface WorkingCopyUpdate {
  readonly root: string;
  readonly set: ReadonlyMap<string, CommittedEntry>;
  readonly removed: readonly string[];
}

/**
 * The committed state a `Staged` reads synchronously: every key of one keyset root with
 * its value id and bytes (decoded on each read). Loaded once at open, then moved between
 * roots by structural diffs, so only changed entries are ever re-read. On an in-process
 * backend (synchronous reads) the bytes of changed entries are fetched on first read.
 */
export class WorkingCopy {
  private sortedKeys: string[] | undefined;
  /** Sum of value sizes, once something asked for it; then kept up to date by `apply`. */
  private total: number | undefined;

  private constructor(
    private readonly versioned: Versioned,
    public root: string,
    readonly entries: Map<string, CommittedEntry>,
  ) {}

  /** Loads all entries of `root`: one batched read per index level plus one for values. */
  static async load(versioned: Versioned, root: string): Promise<WorkingCopy> {
    const pairs = await scanEntries(versioned.nodes, root);
    const entries = new Map<string, CommittedEntry>();
    if (versioned.objects.syncReads) {
      for (const [key, id] of pairs) {
        const bytes = versioned.objects.getSync("v", id);
        if (!bytes) throw missingValue(id);
        entries.set(key, { id, bytes });
      }
    } else {
      const values = await fetchValues(versioned, pairs.map(([, id]) => id));
      for (const [key, id] of pairs) entries.set(key, { id, bytes: values.get(id)! });
    }
    return new WorkingCopy(versioned, root, entries);
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

  /**
   * The committed value of `key` decoded with `decode` (undefined if absent). JSON-like
   * values are decoded once and shared, deep-frozen; others are decoded on every call.
   */
  valueOf(key: string, decode: (bytes: Uint8Array) => unknown, cache: boolean): unknown {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.frozen) return entry.frozen.value;
    const value = decode(entry.bytes ?? this.bytesOf(key)!);
    if (cache && freezeIfJsonLike(value)) entry.frozen = { value };
    return value;
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
    return new WorkingCopy(this.versioned, this.root, new Map(this.entries));
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
