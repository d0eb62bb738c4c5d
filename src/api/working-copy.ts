import type { Versioned } from "../versioned/versioned.ts";
import { diffTrees, scanEntries } from "../index/keyset-index.ts";
import { FormatError } from "../errors.ts";

export interface CommittedEntry {
  readonly id: string;
  readonly bytes: Uint8Array;
}

/** The entries to set (with bytes) and keys to drop to move a working copy to `root`. */
export interface WorkingCopyUpdate {
  readonly root: string;
  readonly set: ReadonlyMap<string, CommittedEntry>;
  readonly removed: readonly string[];
}

/**
 * The committed state a `Staged` reads synchronously: every key of one keyset root with
 * its value bytes (decoded on each read). Loaded once at open, then moved between roots by
 * structural diffs, so only changed entries are ever re-read.
 */
export class WorkingCopy {
  private sortedKeys: string[] | undefined;

  private constructor(
    public root: string,
    readonly entries: Map<string, CommittedEntry>,
  ) {}

  /** Loads all entries of `root`: one batched read per index level plus one for values. */
  static async load(versioned: Versioned, root: string): Promise<WorkingCopy> {
    const pairs = await scanEntries(versioned.nodes, root);
    const values = await fetchValues(versioned, pairs.map(([, id]) => id));
    const entries = new Map<string, CommittedEntry>();
    for (const [key, id] of pairs) entries.set(key, { id, bytes: values.get(id)! });
    return new WorkingCopy(root, entries);
  }

  /** Reads what moving to `root` needs (diff + changed values), without changing anything. */
  async planMove(versioned: Versioned, root: string): Promise<WorkingCopyUpdate> {
    const diff = await diffTrees(versioned.nodes, this.root, root);
    const ids = diff.filter((d) => d.to !== undefined).map((d) => d.to!);
    const values = await fetchValues(versioned, ids);
    const set = new Map<string, CommittedEntry>();
    const removed: string[] = [];
    for (const d of diff) {
      if (d.to === undefined) removed.push(d.key);
      else set.set(d.key, { id: d.to, bytes: values.get(d.to)! });
    }
    return { root, set, removed };
  }

  /** Applies a planned update; pure in-memory, cannot fail halfway. */
  apply(update: WorkingCopyUpdate): void {
    for (const key of update.removed) this.entries.delete(key);
    for (const [key, entry] of update.set) this.entries.set(key, entry);
    if (update.removed.length > 0 || update.set.size > 0) this.sortedKeys = undefined;
    this.root = update.root;
  }

  get(key: string): CommittedEntry | undefined {
    return this.entries.get(key);
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

  /** An independent copy (for a second store object on the same commit). */
  clone(): WorkingCopy {
    return new WorkingCopy(this.root, new Map(this.entries));
  }
}

async function fetchValues(versioned: Versioned, ids: string[]): Promise<Map<string, Uint8Array>> {
  const values = await versioned.objects.getMany("v", ids);
  for (const id of ids) {
    if (!values.has(id)) throw new FormatError(`value ${id} is missing from the backend; the store is incomplete or was garbage-collected while in use`, { id });
  }
  return values;
}
