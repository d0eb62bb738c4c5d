/**
 * The backend contract (SPEC §4.7): an async byte store with an atomic compare-and-swap.
 * Backends know only strings and bytes; everything above is built on these eleven calls.
 */
export interface KVStore {
  /** Whether `cas` is atomic across every process sharing this backend. */
  readonly atomicCas: boolean;
  /** Whether several processes may open and write this backend at once. */
  readonly shared: boolean;
  /** A short human name for messages ("memory", "disk:/path", "redis://host:6379"). */
  readonly description: string;

  get(key: string): Promise<Uint8Array | undefined>;
  /**
   * Optional: a synchronous read, offered by in-process backends (memory, LMDB). kvgit uses
   * it only for immutable objects, on hot read paths (history walks, loading values), to
   * avoid a promise per object. It may return the stored bytes themselves (do not modify
   * them) and may serve a snapshot taken at the backend's last asynchronous read.
   */
  getSync?(key: string): Uint8Array | undefined;
  /**
   * Optional, with `getSync`: the bytes of `key` as a view that stays valid only until the
   * next read on this backend (no copy). For decoding on the spot.
   */
  getSyncView?(key: string): Uint8Array | undefined;
  /** Optional, with `getSync`: `getSync(prefix + rest)` without building the key. */
  getSyncParts?(prefix: string, rest: string): Uint8Array | undefined;
  /**
   * Optional, with `getSync`: `getSync(prefix + hex)`, where `hex` is the lowercase hex of
   * the 20 bytes of `id` from `offset` (a content id as stored inside another object),
   * without building either string.
   */
  getSyncId?(prefix: string, id: Uint8Array, offset: number): Uint8Array | undefined;
  /** Only the keys that exist appear in the result. */
  getMany(keys: readonly string[]): Promise<Map<string, Uint8Array>>;
  set(key: string, value: Uint8Array): Promise<void>;
  setMany(entries: Iterable<readonly [string, Uint8Array]>): Promise<void>;
  /** No-op if absent. */
  delete(key: string): Promise<void>;
  deleteMany(keys: readonly string[]): Promise<void>;
  has(key: string): Promise<boolean>;
  keys(prefix?: string): AsyncIterable<string>;
  /**
   * Set `key` to `value` only if its current value equals `expected` (`undefined`: only if
   * absent). Resolves to whether it did.
   */
  cas(key: string, value: Uint8Array, expected: Uint8Array | undefined): Promise<boolean>;
  /**
   * Optional capability, offered by every shipped backend: delete `key` only if its current
   * value equals `expected` (an absent key never matches), atomically as `cas` is. Resolves
   * to whether it did. kvgit uses it to remove a deleted branch's tombstone without
   * erasing a branch re-created in the meantime; without it the tombstone stays (it reads
   * as absent).
   */
  casDelete?(key: string, expected: Uint8Array): Promise<boolean>;
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** Byte-wise equality, used by every backend's CAS. */
export function bytesEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
