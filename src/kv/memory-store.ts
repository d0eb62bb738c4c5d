import { bytesEqual, type KVStore } from "./kv-store.ts";

/**
 * In-process backend. Values are copied in (a caller mutating its buffer never changes
 * stored bytes) and out of the async API. CAS is atomic because JS runs one callback at a
 * time. Keys are bucketed by their part up to the first "/" (kvgit's `v/`, `n/`, `c/`...),
 * so `getSyncParts("v/", id)` finds an object without building and hashing the full key.
 */
export class MemoryStore implements KVStore {
  readonly atomicCas = true;
  readonly shared = false;
  readonly description = "memory";
  private readonly buckets = new Map<string, Map<string, Uint8Array>>();

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.lookup(key)?.slice();
  }

  /** Synchronous read for kvgit's hot paths. The bytes are the stored ones: do not modify them. */
  getSync(key: string): Uint8Array | undefined {
    return this.lookup(key);
  }

  /** `getSync(prefix + rest)`; fastest when `prefix` is the key's part up to its first "/". */
  getSyncParts(prefix: string, rest: string): Uint8Array | undefined {
    const slash = prefix.indexOf("/");
    if (slash === prefix.length - 1) return this.buckets.get(prefix)?.get(rest);
    return this.lookup(prefix + rest);
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for (const k of keys) {
      const v = this.lookup(k);
      if (v !== undefined) out.set(k, v.slice());
    }
    return out;
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    this.store(key, value.slice());
  }

  async setMany(entries: Iterable<readonly [string, Uint8Array]>): Promise<void> {
    for (const [k, v] of entries) this.store(k, v.slice());
  }

  async delete(key: string): Promise<void> {
    this.remove(key);
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.remove(k);
  }

  async has(key: string): Promise<boolean> {
    return this.lookup(key) !== undefined;
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
    if (!bytesEqual(this.lookup(key), expected)) return false;
    this.store(key, value.slice());
    return true;
  }

  async clear(): Promise<void> {
    this.buckets.clear();
  }

  async close(): Promise<void> {}

  /** Entry count and byte totals, for benchmarks and size tests. */
  stats(): { entries: number; keyBytes: number; valueBytes: number } {
    let entries = 0;
    let keyBytes = 0;
    let valueBytes = 0;
    for (const [head, bucket] of this.buckets) {
      for (const [rest, v] of bucket) {
        entries++;
        keyBytes += Buffer.byteLength(head) + Buffer.byteLength(rest);
        valueBytes += v.length;
      }
    }
    return { entries, keyBytes, valueBytes };
  }

  private lookup(key: string): Uint8Array | undefined {
    const cut = key.indexOf("/") + 1;
    return this.buckets.get(key.slice(0, cut))?.get(cut === 0 ? key : key.slice(cut));
  }

  private store(key: string, value: Uint8Array): void {
    const cut = key.indexOf("/") + 1;
    const head = key.slice(0, cut);
    let bucket = this.buckets.get(head);
    if (!bucket) this.buckets.set(head, (bucket = new Map()));
    bucket.set(cut === 0 ? key : key.slice(cut), value);
  }

  private remove(key: string): void {
    const cut = key.indexOf("/") + 1;
    const head = key.slice(0, cut);
    const bucket = this.buckets.get(head);
    if (!bucket) return;
    bucket.delete(cut === 0 ? key : key.slice(cut));
    if (bucket.size === 0) this.buckets.delete(head);
  }
}
