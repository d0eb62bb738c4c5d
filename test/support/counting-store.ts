import type { KVStore } from "../../src/kv/kv-store.ts";

/** Wraps a backend and counts the calls that reach it (reads, writes, round trips). */
export class CountingStore implements KVStore {
  reads = 0;
  writes = 0;
  calls = 0;
  /** Keys asked for by getMany (single gets count in `reads`). */
  keysRead = 0;
  constructor(readonly inner: KVStore) {}
  get atomicCas() {
    return this.inner.atomicCas;
  }
  get shared() {
    return this.inner.shared;
  }
  get description() {
    return this.inner.description;
  }
  get(key: string) {
    this.reads++;
    this.calls++;
    return this.inner.get(key);
  }
  getMany(keys: readonly string[]) {
    this.reads++;
    this.calls++;
    this.keysRead += keys.length;
    return this.inner.getMany(keys);
  }
  set(key: string, value: Uint8Array) {
    this.writes++;
    this.calls++;
    return this.inner.set(key, value);
  }
  setMany(entries: Iterable<readonly [string, Uint8Array]>) {
    this.writes++;
    this.calls++;
    return this.inner.setMany(entries);
  }
  delete(key: string) {
    this.writes++;
    this.calls++;
    return this.inner.delete(key);
  }
  deleteMany(keys: readonly string[]) {
    this.writes++;
    this.calls++;
    return this.inner.deleteMany(keys);
  }
  has(key: string) {
    this.reads++;
    this.calls++;
    return this.inner.has(key);
  }
  keys(prefix?: string) {
    this.reads++;
    this.calls++;
    return this.inner.keys(prefix);
  }
  cas(key: string, value: Uint8Array, expected: Uint8Array | undefined) {
    this.writes++;
    this.calls++;
    return this.inner.cas(key, value, expected);
  }
  /** Forwarded only when the inner backend has it (it is optional in KVStore). */
  get casDelete(): KVStore["casDelete"] {
    const inner = this.inner;
    if (!inner.casDelete) return undefined;
    return (key: string, expected: Uint8Array) => {
      this.writes++;
      this.calls++;
      return inner.casDelete!(key, expected);
    };
  }
  clear() {
    this.writes++;
    return this.inner.clear();
  }
  close() {
    return this.inner.close();
  }
}
