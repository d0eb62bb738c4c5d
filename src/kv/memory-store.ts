import { bytesEqual, type KVStore } from "./kv-store.ts";
import { ByteArena } from "./byte-arena.ts";
import { IdIndex } from "./id-index.ts";

/** One bucket's keys (the part after the prefix) -> arena slots. */
interface Bucket {
  readonly size: number;
  get(rest: string): number | undefined;
  set(rest: string, slot: number): unknown;
  delete(rest: string): unknown;
  keys(): IterableIterator<string>;
  entries(): IterableIterator<[string, number]>;
}

/** kvgit's content-addressed object kinds: their keys are hash ids, packed by `IdIndex`. */
const ID_BUCKETS = new Set(["v/", "n/", "c/"]);

/**
 * In-process backend. Values are copied in (a caller mutating its buffer never changes
 * stored bytes) and out of the async API. CAS is atomic because JS runs one callback at a
 * time. Keys are bucketed by their part up to the first "/" (kvgit's `v/`, `n/`, `c/`...),
 * so `getSyncParts("v/", id)` finds an object without building and hashing the full key.
 *
 * Values live in a `ByteArena` (large shared buffers) and each bucket maps a key to its
 * arena slot: a stored value costs the heap no object of its own, so a store of millions
 * of objects stays cheap for the garbage collector. Object buckets (`v/`, `n/`, `c/`),
 * whose keys are hash ids, keep them packed as bytes in an `IdIndex` for the same reason.
 */
export class MemoryStore implements KVStore {
  readonly atomicCas = true;
  readonly shared = false;
  readonly description = "memory";
  private readonly buckets = new Map<string, Bucket>();
  private readonly arena = new ByteArena();

  async get(key: string): Promise<Uint8Array | undefined> {
    const slot = this.slotOf(key);
    return slot === undefined ? undefined : this.arena.copy(slot);
  }

  /** Synchronous read for kvgit's hot paths. The bytes are the stored ones: do not modify them. */
  getSync(key: string): Uint8Array | undefined {
    const slot = this.slotOf(key);
    return slot === undefined ? undefined : this.arena.view(slot);
  }

  /** `getSync(prefix + rest)`; fastest when `prefix` is the key's part up to its first "/". */
  getSyncParts(prefix: string, rest: string): Uint8Array | undefined {
    const slash = prefix.indexOf("/");
    const slot = slash === prefix.length - 1 ? this.buckets.get(prefix)?.get(rest) : this.slotOf(prefix + rest);
    return slot === undefined ? undefined : this.arena.view(slot);
  }

  getSyncId(prefix: string, id: Uint8Array, offset: number): Uint8Array | undefined {
    const bucket = this.buckets.get(prefix);
    const slot = bucket instanceof IdIndex ? bucket.getRaw(id, offset) : this.slotOf(prefix + Buffer.from(id.buffer, id.byteOffset + offset, 20).toString("hex"));
    return slot === undefined ? undefined : this.arena.view(slot);
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for (const k of keys) {
      const slot = this.slotOf(k);
      if (slot !== undefined) out.set(k, this.arena.copy(slot));
    }
    return out;
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    this.store(key, value);
  }

  async setMany(entries: Iterable<readonly [string, Uint8Array]>): Promise<void> {
    for (const [k, v] of entries) this.store(k, v);
  }

  async delete(key: string): Promise<void> {
    this.remove(key);
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.remove(k);
  }

  async has(key: string): Promise<boolean> {
    return this.slotOf(key) !== undefined;
  }

  async *keys(prefix = ""): AsyncIterable<string> {
    const matches: string[] = [];
    for (const [head, bucket] of this.buckets) {
      if (!(head.startsWith(prefix) || prefix.startsWith(head))) continue;
      for (const rest of bucket.keys()) {
        const key = head + rest;
        if (key.startsWith(prefix)) matches.push(key);
      }
    }
    yield* matches;
  }

  async cas(key: string, value: Uint8Array, expected: Uint8Array | undefined): Promise<boolean> {
    const slot = this.slotOf(key);
    if (!bytesEqual(slot === undefined ? undefined : this.arena.view(slot), expected)) return false;
    this.store(key, value);
    return true;
  }

  async casDelete(key: string, expected: Uint8Array): Promise<boolean> {
    const slot = this.slotOf(key);
    if (slot === undefined || !bytesEqual(this.arena.view(slot), expected)) return false;
    this.remove(key);
    return true;
  }

  async clear(): Promise<void> {
    this.buckets.clear();
    this.arena.clear();
  }

  async close(): Promise<void> {}

  /** Entry count and byte totals, for benchmarks and size tests. */
  stats(): { entries: number; keyBytes: number; valueBytes: number } {
    let entries = 0;
    let keyBytes = 0;
    let valueBytes = 0;
    for (const [head, bucket] of this.buckets) {
      for (const [rest, slot] of bucket.entries()) {
        entries++;
        keyBytes += Buffer.byteLength(head) + Buffer.byteLength(rest);
        valueBytes += this.arena.lengthOf(slot);
      }
    }
    return { entries, keyBytes, valueBytes };
  }

  private slotOf(key: string): number | undefined {
    const cut = key.indexOf("/") + 1;
    return this.buckets.get(key.slice(0, cut))?.get(cut === 0 ? key : key.slice(cut));
  }

  private store(key: string, value: Uint8Array): void {
    const cut = key.indexOf("/") + 1;
    const head = key.slice(0, cut);
    let bucket = this.buckets.get(head);
    if (!bucket) this.buckets.set(head, (bucket = ID_BUCKETS.has(head) ? new IdIndex() : new Map<string, number>()));
    const rest = cut === 0 ? key : key.slice(cut);
    const old = bucket.get(rest);
    if (old !== undefined) this.arena.release(old);
    bucket.set(rest, this.arena.add(value));
    if (this.arena.wantsCompaction()) this.arena.compact();
  }

  private remove(key: string): void {
    const cut = key.indexOf("/") + 1;
    const head = key.slice(0, cut);
    const bucket = this.buckets.get(head);
    if (!bucket) return;
    const rest = cut === 0 ? key : key.slice(cut);
    const slot = bucket.get(rest);
    if (slot === undefined) return;
    bucket.delete(rest);
    this.arena.release(slot);
    if (bucket.size === 0) this.buckets.delete(head);
    if (this.arena.wantsCompaction()) this.arena.compact();
  }
}
