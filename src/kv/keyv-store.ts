import { BackendError, KvgitError } from "../errors.ts";
import { bytesEqual, type KVStore } from "./kv-store.ts";
import { messageOf } from "./load-driver.ts";
import type { KeyvDriver } from "./keyv/driver.ts";
import { GenericDriver } from "./keyv/generic-driver.ts";
import { isPostgresAdapter, PostgresDriver } from "./keyv/postgres-driver.ts";
import { RedisDriver, redisClientOf } from "./keyv/redis-driver.ts";
import { isSqliteAdapter, SqliteDriver } from "./keyv/sqlite-driver.ts";
import { decodeValue, encodeValue } from "./keyv/value-codec.ts";
import { isKeyvLike, type KeyvLike } from "./keyv-like.ts";

export { isKeyvLike, type KeyvLike };

/** The parts of a `Keyv` instance KeyvStore reads (the `keyv` package is an optional peer). */
export interface KeyvStoreOptions {
  /** A prefix added to every key inside the Keyv namespace (e.g. one per test run). */
  prefix?: string;
  /** Bound on the first round trip to the server, in ms (default 5,000). */
  connectTimeoutMs?: number;
  /** The store created this Keyv: close() disconnects it. Default false. */
  owned?: boolean;
}


let warnedNonAtomic = false;

/**
 * A KVStore on any Keyv instance. Redis, PostgreSQL and SQLite adapters are recognised by
 * what they expose (a raw-command client; a `query` function with a `dialect`) and used
 * natively, with an atomic CAS in the server; any other adapter goes through the Keyv
 * adapter API with an emulated CAS (`atomicCas === false`, one process may write).
 *
 * Keys are stored exactly where the Keyv itself would put them (its namespace prefix and
 * the adapter's), so data is visible through the Keyv too.
 */
export class KeyvStore implements KVStore {
  readonly atomicCas: boolean;
  readonly shared: boolean;
  readonly description: string;
  /** Which native path is in use: "redis", "postgres", "sqlite" or "generic". */
  readonly adapterKind: string;
  private readonly prefix: string;
  private closed = false;

  private constructor(
    private readonly driver: KeyvDriver,
    prefix: string,
  ) {
    this.atomicCas = driver.atomicCas;
    this.shared = driver.atomicCas;
    this.adapterKind = driver.kind;
    this.prefix = prefix;
    this.description = driver.address;
  }

  /** Wraps `keyv`, checks the server answers within `connectTimeoutMs`. */
  static async open(keyv: KeyvLike, options: KeyvStoreOptions = {}): Promise<KeyvStore> {
    if (!isKeyvLike(keyv)) throw new TypeError('KeyvStore: option "keyv" must be a Keyv instance');
    const timeout = options.connectTimeoutMs ?? 5_000;
    if (!(Number.isFinite(timeout) && timeout > 0)) throw new RangeError(`KeyvStore: option "connectTimeoutMs" must be a positive number, got ${timeout}`);
    if (options.prefix !== undefined && typeof options.prefix !== "string") throw new TypeError('KeyvStore: option "prefix" must be a string');
    // Adapter errors (a dropped connection) are also emitted as events; the operation that
    // hits them rejects on its own, so the events need no handling here.
    keyv.on?.("error", () => {});
    const driver = pickDriver(keyv, options.owned ?? false);
    return KeyvStore.openDriver(driver, keyPrefixOf(keyv) + (options.prefix ?? ""), timeout);
  }

  /** A store on a driver kvgit built itself (URL shorthands); `prefix` is the full key prefix. */
  static async openDriver(driver: KeyvDriver, prefix: string, timeout: number): Promise<KeyvStore> {
    const store = new KeyvStore(driver, prefix);
    try {
      await withTimeout(driver.ping(), timeout, `${driver.address} did not answer within ${timeout} ms`);
    } catch (err) {
      await driver.close().catch(() => {});
      throw new BackendError(`cannot reach ${driver.address}: ${messageOf(err)}`, { address: driver.address }, { cause: err });
    }
    if (!driver.atomicCas && !warnedNonAtomic) {
      warnedNonAtomic = true;
      process.emitWarning(
        `kvgit: this Keyv adapter (${driver.address}) has no atomic compare-and-swap; kvgit emulates it ` +
          "(read, compare, write), so only one process may write to this store.",
        { code: "KVGIT_NON_ATOMIC_CAS" },
      );
    }
    return store;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const raw = await this.op("get", () => this.driver.get(this.prefix + key));
    return raw === undefined || raw === null ? undefined : decodeValue(raw, key);
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    if (keys.length === 0) return out;
    const unique = [...new Set(keys)];
    const raws = await this.op("getMany", () => this.driver.getMany(unique.map((k) => this.prefix + k)));
    unique.forEach((k, i) => {
      const raw = raws[i];
      if (raw !== undefined && raw !== null) out.set(k, decodeValue(raw, k));
    });
    return out;
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    await this.setMany([[key, value]]);
  }

  async setMany(entries: Iterable<readonly [string, Uint8Array]>): Promise<void> {
    const rows: Array<[string, string]> = [];
    for (const [k, v] of entries) rows.push([this.prefix + k, encodeValue(v)]);
    if (rows.length === 0) return;
    await this.op("setMany", () => this.driver.setMany(rows));
  }

  async delete(key: string): Promise<void> {
    await this.deleteMany([key]);
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.op("deleteMany", () => this.driver.deleteMany(keys.map((k) => this.prefix + k)));
  }

  async has(key: string): Promise<boolean> {
    return this.op("has", () => this.driver.has(this.prefix + key));
  }

  async *keys(prefix = ""): AsyncIterable<string> {
    this.assertOpen("keys");
    const strip = this.prefix.length;
    const it = this.driver.scan(this.prefix + prefix)[Symbol.asyncIterator]();
    for (;;) {
      const step = await this.op("keys", () => it.next());
      if (step.done) return;
      for (const k of step.value) yield k.slice(strip);
    }
  }

  async cas(key: string, value: Uint8Array, expected: Uint8Array | undefined): Promise<boolean> {
    const k = this.prefix + key;
    const next = encodeValue(value);
    return this.op("cas", async () => {
      if (await this.driver.cas(k, next, expected === undefined ? undefined : encodeValue(expected))) return true;
      if (expected === undefined) return false;
      // The stored text may spell the same bytes differently (written by another Keyv
      // serializer): compare bytes, then swap conditionally on the exact text found.
      const raw = await this.driver.get(k);
      if (typeof raw !== "string" || raw === encodeValue(expected) || !bytesEqual(decodeValue(raw, key), expected)) return false;
      return this.driver.cas(k, next, raw);
    });
  }

  async casDelete(key: string, expected: Uint8Array): Promise<boolean> {
    const k = this.prefix + key;
    const text = encodeValue(expected);
    return this.op("casDelete", async () => {
      if (await this.driver.casDelete(k, text)) return true;
      // As in cas: the same bytes may be spelled differently; delete on the exact text found.
      const raw = await this.driver.get(k);
      if (typeof raw !== "string" || raw === text || !bytesEqual(decodeValue(raw, key), expected)) return false;
      return this.driver.casDelete(k, raw);
    });
  }

  async clear(): Promise<void> {
    await this.op("clear", async () => {
      for await (const batch of this.driver.scan(this.prefix)) await this.driver.deleteMany(batch);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.driver.close();
    } catch (err) {
      throw new BackendError(`${this.description}: close failed: ${messageOf(err)}`, { address: this.description }, { cause: err });
    }
  }

  private assertOpen(op: string): void {
    if (this.closed) throw new BackendError(`${this.description}: the store is closed`, { address: this.description, op });
  }

  /** Runs a driver call, turning its failures into BackendError (kvgit's own errors pass). */
  private async op<T>(op: string, fn: () => Promise<T>): Promise<T> {
    this.assertOpen(op);
    try {
      return await fn();
    } catch (err) {
      if (err instanceof KvgitError) throw err;
      throw new BackendError(`${this.description}: ${op} failed: ${messageOf(err)}`, { address: this.description, op }, { cause: err });
    }
  }
}

/** The prefix Keyv itself puts before every key: "namespace:" unless key prefixing is off. */
function keyPrefixOf(keyv: KeyvLike): string {
  const ns = keyv.namespace ?? keyv.opts?.namespace;
  const usePrefix = typeof keyv.useKeyPrefix === "boolean" ? keyv.useKeyPrefix : true;
  return usePrefix && ns ? `${ns}:` : "";
}

function pickDriver(keyv: KeyvLike, owned: boolean): KeyvDriver {
  const adapter = keyv.store ?? keyv.opts?.store;
  const redis = redisClientOf(adapter);
  if (redis) return new RedisDriver(adapter as object, redis, owned);
  if (isPostgresAdapter(adapter)) return new PostgresDriver(adapter);
  if (isSqliteAdapter(adapter)) return new SqliteDriver(adapter, owned);
  return new GenericDriver(adapter as never, keyv.namespace ?? keyv.opts?.namespace, owned);
}

async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
