import { bytesEqual, type KVStore } from "./kv-store.ts";

/**
 * In-process backend. Values are copied in and out so a caller mutating its buffer can
 * never change stored bytes. CAS is atomic because JS runs one callback at a time.
 */
export class MemoryStore implements KVStore {
  readonly atomicCas = true;
  readonly shared = false;
  readonly description = "memory";
  private readonly data = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array | undefined> {
    const v = this.data.get(key);
    return v === undefined ? undefined : v.slice();
  }

  /** Synchronous read for kvgit's hot paths. The bytes are the stored ones: do not modify them. */
  getSync(key: string): Uint8Array | undefined {
    return this.data.get(key);
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for (const k of keys) {
      const v = this.data.get(k);
      if (v !== undefined) out.set(k, v.slice());
    }
    return out;
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    this.data.set(key, value.slice());
  }

  async setMany(entries: Iterable<readonly [string, Uint8Array]>): Promise<void> {
    for (const [k, v] of entries) this.data.set(k, v.slice());
  }

  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.data.delete(k);
  }

  async has(key: string): Promise<boolean> {
    return this.data.has(key);
  }

  async *keys(prefix = ""): AsyncIterable<string> {
    for (const k of [...this.data.keys()]) if (k.startsWith(prefix)) yield k;
  }

  async cas(key: string, value: Uint8Array, expected: Uint8Array | undefined): Promise<boolean> {
    if (!bytesEqual(this.data.get(key), expected)) return false;
    this.data.set(key, value.slice());
    return true;
  }

  async clear(): Promise<void> {
    this.data.clear();
  }

  async close(): Promise<void> {}

  /** Entry count and byte totals, for benchmarks and size tests. */
  stats(): { entries: number; keyBytes: number; valueBytes: number } {
    let keyBytes = 0;
    let valueBytes = 0;
    for (const [k, v] of this.data) {
      keyBytes += Buffer.byteLength(k);
      valueBytes += v.length;
    }
    return { entries: this.data.size, keyBytes, valueBytes };
  }
}
