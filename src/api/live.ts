import type { Codec } from "../codec/codec.ts";
import type { KVStore } from "../kv/kv-store.ts";
import { BackendError, NotSupportedError } from "../errors.ts";
import type { ContentType, MergeFn } from "../merge/merge-fn.ts";
import { backendCall } from "../objects/object-store.ts";
import { dictProxy } from "./dict-proxy.ts";
import { decodeValue, encodeValue } from "../codec/resolve-codec.ts";
import { Namespaced, type NamespacedStore } from "./namespaced.ts";
import { prefixRange } from "./sorted-keys.ts";
import { checkKey, missingKey } from "./store-context.ts";
import { setOwnValue } from "../merge/equal.ts";

/** Live values live at l/<key>, encoded with the store's codec. */
const LIVE_PREFIX = "l/";

type PendingOp = { key: string; bytes: Uint8Array | null };

/**
 * The dict API with immediate writes and no versioning (SPEC §4.5). Reads are served from
 * memory (loaded at open); each write updates memory at once and is sent to the backend
 * in call order. `flush()` resolves when every write so far is durable and rejects if any
 * failed. Versioning methods reject with NotSupportedError.
 */
/** What `store({ type: "live" })` returns: the Live API plus the schema's keys. */
export type LiveStore<S extends object = Record<string, unknown>> = Live<S> & S;
type KeyOf<S> = keyof S & string;
type ValueOf<S, K> = K extends keyof S ? S[K] : unknown;

export class Live<S extends object = Record<string, unknown>> {
  readonly #kv: KVStore;
  readonly #codec: Codec;
  readonly #data: Map<string, Uint8Array>;
  #sorted: string[] | undefined;
  #pending: PendingOp[] = [];
  #draining: Promise<void> | undefined;
  #failure: unknown;

  private constructor(kv: KVStore, codec: Codec, data: Map<string, Uint8Array>) {
    this.#kv = kv;
    this.#codec = codec;
    this.#data = data;
    return dictProxy(this);
  }

  static async open<S extends object = Record<string, unknown>>(kv: KVStore, codec: Codec): Promise<LiveStore<S>> {
    const keys: string[] = [];
    await backendCall(kv, "keys", async () => {
      for await (const k of kv.keys(LIVE_PREFIX)) keys.push(k);
    });
    const found = await backendCall(kv, "getMany", () => kv.getMany(keys));
    const data = new Map<string, Uint8Array>();
    for (const [k, v] of found) data.set(k.slice(LIVE_PREFIX.length), v);
    return new Live<S>(kv, codec, data) as LiveStore<S>;
  }

  get<K extends KeyOf<S>>(key: K): ValueOf<S, K> | undefined;
  get<K extends KeyOf<S>, D>(key: K, defaultValue: D): ValueOf<S, K> | D;
  get(key: string, defaultValue?: unknown): unknown {
    checkKey(key);
    const bytes = this.#data.get(key);
    return bytes === undefined ? defaultValue : decodeValue(this.#codec, bytes, key);
  }

  getMany(keys: Iterable<string>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of keys) if (this.has(key)) setOwnValue(out, key, this.get(key as KeyOf<S>));
    return out;
  }

  has(key: string): boolean {
    checkKey(key);
    return this.#data.has(key);
  }

  keys(prefix = ""): string[] {
    return prefixRange((this.#sorted ??= [...this.#data.keys()].sort()), prefix);
  }

  values(): unknown[] {
    return this.keys().map((k) => this.get(k as KeyOf<S>));
  }

  entries(): [string, unknown][] {
    return this.keys().map((k) => [k, this.get(k as KeyOf<S>)]);
  }

  get size(): number {
    return this.#data.size;
  }

  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  /** Encodes now (a value the codec rejects throws CodecError here) and queues the write. */
  set<K extends KeyOf<S>>(key: K, value: ValueOf<S, K>): this {
    checkKey(key);
    const bytes = encodeValue(this.#codec, value, key);
    if (!this.#data.has(key)) this.#sorted = undefined;
    this.#data.set(key, bytes);
    this.#enqueue({ key, bytes });
    return this;
  }

  delete(key: string): boolean {
    checkKey(key);
    if (!this.#data.delete(key)) return false;
    this.#sorted = undefined;
    this.#enqueue({ key, bytes: null });
    return true;
  }

  remove(key: string): void {
    if (!this.delete(key)) throw missingKey(key);
  }

  isStaged(_key: string): boolean {
    return false;
  }

  get hasChanges(): boolean {
    return false;
  }

  /** Nothing is ever staged in a live store. */
  reset(): void {}

  /** A live store has no history: iterating rejects with NotSupportedError. */
  history(): AsyncIterable<string> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.reject(new NotSupportedError(`history() needs a versioned store; this store was opened with type: "live".`, { op: "history" })),
      }),
    };
  }

  /** Resolves when every write so far is durable; rejects (once) if any failed. */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
    if (this.#failure !== undefined) {
      const failure = this.#failure;
      this.#failure = undefined;
      throw failure instanceof BackendError ? failure : new BackendError(`a live write failed: ${String(failure)}`, {}, { cause: failure });
    }
  }

  /** Reloads every key from the backend (after flushing). */
  async refresh(): Promise<void> {
    await this.flush();
    const fresh = await Live.open(this.#kv, this.#codec);
    this.#data.clear();
    for (const [k, v] of (fresh as Live).#data) this.#data.set(k, v);
    this.#sorted = undefined;
  }

  namespace<N extends object = Record<string, unknown>>(name: string): NamespacedStore<N> {
    return new Namespaced<N>(this, name) as NamespacedStore<N>;
  }

  setMergeFn(_key: string, _fn: MergeFn | undefined): void {}
  setDefaultMerge(_fn: MergeFn | undefined, _opts?: { prefix?: string }): void {}
  setContentType(_key: string, _ct: ContentType | undefined): void {}
  getContentType(_key: string): ContentType | undefined {
    return undefined;
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.#kv.close();
    }
  }

  #enqueue(op: PendingOp): void {
    this.#pending.push(op);
    this.#draining ??= this.#drain();
  }

  /**
   * Sends queued ops to the backend in call order (SPEC §4.5). Consecutive ops of one kind
   * go in one call — a run of sets as one `setMany` (the last value per key), a run of
   * deletes as one `deleteMany` — and runs are sent one after another, so a reader (or a
   * crash) between two calls sees the state after a prefix of the writes, never a set that
   * was made after a delete not yet applied. A failed call is recorded for `flush()`; the
   * writes after it are still sent, in order.
   */
  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const ops = this.#pending;
        this.#pending = [];
        for (let i = 0; i < ops.length; ) {
          const deleting = ops[i].bytes === null;
          let end = i + 1;
          while (end < ops.length && (ops[end].bytes === null) === deleting) end++;
          try {
            if (deleting) {
              const keys = new Set<string>();
              for (let j = i; j < end; j++) keys.add(LIVE_PREFIX + ops[j].key);
              await backendCall(this.#kv, "deleteMany", () => this.#kv.deleteMany([...keys]));
            } else {
              const last = new Map<string, Uint8Array>();
              for (let j = i; j < end; j++) last.set(LIVE_PREFIX + ops[j].key, ops[j].bytes!);
              await backendCall(this.#kv, "setMany", () => this.#kv.setMany(last));
            }
          } catch (err) {
            this.#failure ??= err;
          }
          i = end;
        }
      }
    } finally {
      this.#draining = undefined;
    }
  }
}

const VERSIONING = [
  "commit",
  "createBranch",
  "checkout",
  "switchBranch",
  "deleteBranch",
  "listBranches",
  "peek",
  "resetTo",
  "merge",
  "tryMerge",
  "log",
  "diff",
  "commitInfo",
  "parents",
  "keyHistory",
  "at",
  "prove",
  "initialCommit",
  "rebase",
  "maybeRebase",
  "cleanOrphans",
  "verify",
] as const;

for (const name of VERSIONING) {
  Object.defineProperty(Live.prototype, name, {
    value: () => Promise.reject(new NotSupportedError(`${name}() needs a versioned store; this store was opened with type: "live". Open it with type: "versioned" instead.`, { op: name })),
    writable: true,
    configurable: true,
  });
}

export interface Live<S extends object> {
  commit(opts?: unknown): Promise<never>;
  createBranch(name: string, opts?: unknown): Promise<never>;
  checkout(ref: string, opts?: unknown): Promise<never>;
  switchBranch(name: string): Promise<never>;
  deleteBranch(name: string): Promise<never>;
  listBranches(): Promise<never>;
  peek(key: string, opts?: unknown): Promise<never>;
  resetTo(ref: string): Promise<never>;
  merge(source: string, opts?: unknown): Promise<never>;
  tryMerge(source: string): Promise<never>;
  log(opts?: unknown): Promise<never>;
  diff(a: string, b?: string): Promise<never>;
  commitInfo(ref?: string): Promise<never>;
  parents(ref?: string): Promise<never>;
  keyHistory(key: string): Promise<never>;
  at(ref: string): Promise<never>;
  prove(key: string, opts?: unknown): Promise<never>;
  initialCommit(): Promise<never>;
  rebase(opts?: unknown): Promise<never>;
  maybeRebase(): Promise<never>;
  cleanOrphans(opts?: unknown): Promise<never>;
  verify(): Promise<never>;
}
