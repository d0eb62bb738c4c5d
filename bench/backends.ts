/**
 * The backends a benchmark runs on, behind one small interface: a fresh database per
 * `create()`, store objects opened on it, "reopen" as BENCHMARKS.md defines it, storage
 * figures, and cleanup (temporary directories, Redis key prefixes).
 *
 * Store objects are never closed here (`Staged.close()` closes the backend they share);
 * the database owns its backend connections and closes them itself.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryStore, store, type KVStore, type Staged } from "../src/index.ts";
import type { BackendName } from "./params.ts";

export interface StorageStats {
  entries: number;
  keyBytes: number;
  valueBytes: number;
}

export interface BenchDb {
  /** Opens a new store object on the database's current backend connection. */
  open(branch?: string): Promise<Staged>;
  /** Opens a store object on a separately opened backend (an independent writer). */
  openIndependent(branch?: string): Promise<Staged>;
  /**
   * Reopen: memory keeps its backend object; disk and redis close every connection and
   * open a new one on the same data. Store objects opened before must not be used after.
   */
  reopen(): Promise<void>;
  /** Entry count and byte totals over every backend entry. */
  stats(): Promise<StorageStats>;
  /** Closes every connection and removes the data (directory, key prefix). */
  destroy(): Promise<void>;
}

export interface BenchBackend {
  readonly name: BackendName;
  /** Resolves to undefined when usable, else to the reason it is not. */
  unavailableReason(): Promise<string | undefined>;
  create(): Promise<BenchDb>;
}

/** Keeps a backend opened by `connect` and every independent one, closing them together. */
class ConnectedDb implements BenchDb {
  #kv: KVStore | undefined;
  readonly #independent: KVStore[] = [];
  #destroyed = false;

  constructor(
    private readonly connect: () => Promise<KVStore>,
    private readonly options: {
      /** Memory: the connection is the data, so reopen keeps it. */
      keepOnReopen: boolean;
      /** Removes the data after every connection is closed. */
      removeData: (kv: KVStore | undefined) => Promise<void>;
      stats?: () => StorageStats;
    },
  ) {}

  async #main(): Promise<KVStore> {
    if (this.#destroyed) throw new Error("benchmark database used after destroy()");
    return (this.#kv ??= await this.connect());
  }

  async open(branch = "main"): Promise<Staged> {
    return store({ backend: await this.#main(), branch });
  }

  async openIndependent(branch = "main"): Promise<Staged> {
    if (this.options.keepOnReopen) return this.open(branch);
    const kv = await this.connect();
    this.#independent.push(kv);
    return store({ backend: kv, branch });
  }

  async reopen(): Promise<void> {
    if (this.options.keepOnReopen) return;
    await this.#closeAll();
    this.#kv = await this.connect();
  }

  async stats(): Promise<StorageStats> {
    if (this.options.stats) return this.options.stats();
    return scanStats(await this.#main());
  }

  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    const kv = this.options.keepOnReopen ? this.#kv : undefined;
    if (!this.options.keepOnReopen) await this.#closeAll();
    this.#destroyed = true;
    await this.options.removeData(kv);
  }

  async #closeAll(): Promise<void> {
    const all = [...this.#independent.splice(0), ...(this.#kv ? [this.#kv] : [])];
    this.#kv = undefined;
    const results = await Promise.allSettled(all.map((kv) => kv.close()));
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}

/** Entry count and byte totals of any KVStore, by listing every key and reading it. */
export async function scanStats(kv: KVStore): Promise<StorageStats> {
  const out: StorageStats = { entries: 0, keyBytes: 0, valueBytes: 0 };
  let batch: string[] = [];
  const flush = async () => {
    const got = await kv.getMany(batch);
    for (const [k, v] of got) {
      out.entries++;
      out.keyBytes += Buffer.byteLength(k);
      out.valueBytes += v.length;
    }
    batch = [];
  };
  for await (const k of kv.keys()) {
    batch.push(k);
    if (batch.length >= 1000) await flush();
  }
  if (batch.length > 0) await flush();
  return out;
}

/** Deletes every key of a backend (used on a namespaced Redis connection only). */
async function deleteAllKeys(kv: KVStore): Promise<void> {
  let batch: string[] = [];
  for await (const k of kv.keys()) {
    batch.push(k);
    if (batch.length >= 1000) {
      await kv.deleteMany(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await kv.deleteMany(batch);
}

/** The options of the library's backend opener that the benchmark uses. */
interface OpenOptions {
  kind?: "memory" | "disk" | "keyv";
  path?: string;
  url?: string;
  namespace?: string;
  connectTimeoutMs?: number;
}
type OpenBackend = (options: OpenOptions) => Promise<KVStore>;

/** The library's backend opener (the same one `store()` uses), loaded on demand. */
async function loadOpener(): Promise<OpenBackend> {
  const mod = (await import("../src/kv/open-backend.ts")) as { openBackend: OpenBackend };
  return mod.openBackend;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---- memory ----------------------------------------------------------------------------

export const memoryBackend: BenchBackend = {
  name: "memory",
  async unavailableReason() {
    return undefined;
  },
  async create() {
    const mem = new MemoryStore();
    return new ConnectedDb(async () => mem, {
      keepOnReopen: true,
      removeData: async () => mem.clear(),
      stats: () => mem.stats(),
    });
  },
};

// ---- disk ------------------------------------------------------------------------------

async function freshDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "kvgit-bench-"));
}

export const diskBackend: BenchBackend = {
  name: "disk",
  async unavailableReason() {
    let dir: string | undefined;
    try {
      const open = await loadOpener();
      dir = await freshDir();
      const kv = await open({ kind: "disk", path: dir });
      await kv.close();
      return undefined;
    } catch (err) {
      return `the disk backend cannot be opened: ${messageOf(err)}`;
    } finally {
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  },
  async create() {
    const open = await loadOpener();
    const dir = await freshDir();
    return new ConnectedDb(() => open({ kind: "disk", path: dir }), {
      keepOnReopen: false,
      removeData: () => rm(dir, { recursive: true, force: true }),
    });
  },
};

// ---- redis -----------------------------------------------------------------------------

let namespaceCounter = 0;

/** A namespace (key prefix) no other run or database uses. */
export function freshRedisNamespace(label: string): string {
  return `kvgit-bench-${label}-${process.pid}-${Date.now().toString(36)}-${namespaceCounter++}`;
}

/**
 * Opens a backend on the Redis server at `url`, confined to Keyv namespace `namespace`
 * (the library's own redis:// opener, which also owns and closes the connection). The one
 * place that knows how the benchmark reaches Redis; X2's worker processes use it too.
 */
export async function openRedis(url: string, namespace: string): Promise<KVStore> {
  if (!namespace) throw new Error("a Redis benchmark connection needs a namespace");
  const open = await loadOpener();
  return open({ url, namespace, connectTimeoutMs: 5_000 });
}

/** A store object on its own Redis connection (closing it closes the connection). */
export async function openRedisStore(url: string, namespace: string): Promise<Staged> {
  const kv = await openRedis(url, namespace);
  try {
    return await store({ backend: kv });
  } catch (err) {
    await kv.close().catch(() => {});
    throw err;
  }
}

/** Removes every key of `namespace` on the Redis server. */
export async function removeRedisNamespace(url: string, namespace: string): Promise<void> {
  const kv = await openRedis(url, namespace);
  try {
    await deleteAllKeys(kv);
  } finally {
    await kv.close();
  }
}

export function redisBackend(url: string): BenchBackend {
  return {
    name: "redis",
    async unavailableReason() {
      const namespace = freshRedisNamespace("probe");
      try {
        const kv = await openRedis(url, namespace);
        try {
          await kv.set("probe", new Uint8Array([1]));
          await kv.delete("probe");
        } finally {
          await kv.close();
        }
        return undefined;
      } catch (err) {
        return `the redis backend at ${url} cannot be opened: ${messageOf(err)}`;
      }
    },
    async create() {
      const namespace = freshRedisNamespace("db");
      return new ConnectedDb(() => openRedis(url, namespace), {
        keepOnReopen: false,
        removeData: () => removeRedisNamespace(url, namespace),
      });
    },
  };
}

export function backendFor(name: BackendName, redisUrl: string): BenchBackend {
  switch (name) {
    case "memory":
      return memoryBackend;
    case "disk":
      return diskBackend;
    case "redis":
      return redisBackend(redisUrl);
  }
}
