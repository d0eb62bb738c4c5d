import type { KVStore } from "./kv-store.ts";

export interface TieredStoreOptions {
  /**
   * True for keys whose value never changes once written (content-addressed objects).
   * Only these are cached; everything else (branch heads, refs, anything CAS'd) is always
   * read from and written to the remote store.
   */
  isImmutable(key: string): boolean;
}

/**
 * A fast local store in front of a shared remote one (SPEC §5.9: a cache tier never serves
 * a branch head). Immutable keys are read from the local store first and filled on a miss;
 * writes go to the remote store first, then to the local one. The remote store is the
 * authority: listing, CAS and every mutable key go there, and capabilities are its own.
 */
export class TieredStore implements KVStore {
  readonly atomicCas: boolean;
  readonly shared: boolean;
  readonly description: string;
  private readonly isImmutable: (key: string) => boolean;

  constructor(
    readonly local: KVStore,
    readonly remote: KVStore,
    options: TieredStoreOptions,
  ) {
    if (typeof options?.isImmutable !== "function") throw new TypeError('TieredStore: option "isImmutable" must be a function (key) => boolean');
    this.isImmutable = options.isImmutable;
    this.atomicCas = remote.atomicCas;
    this.shared = remote.shared;
    this.description = `tiered(${local.description} -> ${remote.description})`;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    if (!this.isImmutable(key)) return this.remote.get(key);
    const cached = await this.local.get(key);
    if (cached !== undefined) return cached;
    const v = await this.remote.get(key);
    if (v !== undefined) await this.local.set(key, v);
    return v;
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    const immutable = keys.filter((k) => this.isImmutable(k));
    const out = immutable.length > 0 ? await this.local.getMany(immutable) : new Map<string, Uint8Array>();
    // One remote round trip for the cache misses and all mutable keys.
    const fromRemote = keys.filter((k) => !out.has(k));
    if (fromRemote.length === 0) return out;
    const got = await this.remote.getMany([...new Set(fromRemote)]);
    const fill: Array<[string, Uint8Array]> = [];
    for (const [k, v] of got) {
      out.set(k, v);
      if (this.isImmutable(k)) fill.push([k, v]);
    }
    if (fill.length > 0) await this.local.setMany(fill);
    return out;
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    await this.remote.set(key, value);
    if (this.isImmutable(key)) await this.local.set(key, value);
  }

  async setMany(entries: Iterable<readonly [string, Uint8Array]>): Promise<void> {
    const all = [...entries];
    await this.remote.setMany(all);
    const cached = all.filter(([k]) => this.isImmutable(k));
    if (cached.length > 0) await this.local.setMany(cached);
  }

  async delete(key: string): Promise<void> {
    await this.remote.delete(key);
    await this.local.delete(key);
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    await this.remote.deleteMany(keys);
    await this.local.deleteMany(keys);
  }

  async has(key: string): Promise<boolean> {
    if (this.isImmutable(key) && (await this.local.has(key))) return true;
    return this.remote.has(key);
  }

  keys(prefix?: string): AsyncIterable<string> {
    return this.remote.keys(prefix);
  }

  async cas(key: string, value: Uint8Array, expected: Uint8Array | undefined): Promise<boolean> {
    const ok = await this.remote.cas(key, value, expected);
    if (ok && this.isImmutable(key)) await this.local.set(key, value);
    return ok;
  }

  async clear(): Promise<void> {
    await this.remote.clear();
    await this.local.clear();
  }

  async close(): Promise<void> {
    await Promise.all([this.remote.close(), this.local.close()]);
  }
}
