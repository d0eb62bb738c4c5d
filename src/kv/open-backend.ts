import { fileURLToPath } from "node:url";
import type { KVStore } from "./kv-store.ts";
import { MemoryStore } from "./memory-store.ts";
import { loadDriver } from "./load-driver.ts";
import { isKeyvLike, type KeyvLike } from "./keyv-like.ts";

export interface BackendOptions {
  /** "memory" (default), "disk" (needs `path`) or "keyv" (needs `keyv`). */
  kind?: "memory" | "disk" | "keyv";
  /** Directory of a disk store. */
  path?: string;
  /** A Keyv instance. */
  keyv?: unknown;
  /** redis://, rediss://, postgres://, postgresql://, sqlite://path, file://path or a directory path. */
  url?: string;
  /** Any KVStore, returned as is; overrides `kind`. */
  backend?: KVStore;
  /** Bound on connecting to a server, in ms (default 5,000). */
  connectTimeoutMs?: number;
  /** Keyv namespace for stores opened from a server URL (default "kvgit"). */
  namespace?: string;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const KINDS = ["memory", "disk", "keyv"];

type Target =
  | { kind: "memory" }
  | { kind: "disk"; path: string }
  | { kind: "keyv"; keyv: KeyvLike }
  | { kind: "redis"; url: string }
  | { kind: "postgres"; url: string }
  | { kind: "sqlite"; url: string; file: string };

/**
 * Opens the backend `store()` runs on. Bad options throw TypeError/RangeError naming the
 * option; an unreachable server rejects with a BackendError naming its address within
 * `connectTimeoutMs`. Unknown keys are ignored (store() checks those).
 */
export async function openBackend(options: BackendOptions = {}): Promise<KVStore> {
  if (options === null || typeof options !== "object") throw new TypeError("backend options must be an object");
  if (options.backend !== undefined) {
    if (!isKVStore(options.backend)) throw new TypeError('option "backend" must be a KVStore (get, getMany, set, setMany, delete, deleteMany, has, keys, cas, clear, close)');
    return options.backend;
  }
  const timeout = options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0) {
    throw new RangeError(`option "connectTimeoutMs" must be a positive number of milliseconds, got ${String(timeout)}`);
  }
  const namespace = options.namespace ?? "kvgit";
  if (typeof namespace !== "string" || namespace.length === 0) throw new TypeError('option "namespace" must be a non-empty string');

  const target = resolveTarget(options);
  switch (target.kind) {
    case "memory":
      return new MemoryStore();
    case "disk": {
      const { DiskStore } = await import("./disk-store.ts");
      return DiskStore.open(target.path);
    }
    case "keyv": {
      const { KeyvStore } = await import("./keyv-store.ts");
      return KeyvStore.open(target.keyv, { connectTimeoutMs: timeout });
    }
    case "redis":
      return openRedis(target.url, namespace, timeout);
    case "postgres":
      return openPostgres(target.url, namespace, timeout);
    case "sqlite":
      return openSqlite(target.url, namespace, timeout);
  }
}

function resolveTarget(o: BackendOptions): Target {
  if (o.kind !== undefined && (typeof o.kind !== "string" || !KINDS.includes(o.kind))) {
    throw new TypeError(`option "kind" must be one of ${KINDS.map((k) => `"${k}"`).join(", ")}, got ${JSON.stringify(o.kind)}`);
  }
  if (o.url !== undefined) {
    const t = parseUrl(o.url);
    const kindOfUrl = t.kind === "disk" ? "disk" : "keyv";
    if (o.kind !== undefined && o.kind !== kindOfUrl) {
      throw new TypeError(`options "kind" (${JSON.stringify(o.kind)}) and "url" (${describeUrl(o.url)}) disagree; give one of them`);
    }
    return t;
  }
  switch (o.kind ?? "memory") {
    case "memory":
      return { kind: "memory" };
    case "disk":
      if (typeof o.path !== "string" || o.path.length === 0) throw new TypeError('kind "disk" needs option "path" (a directory)');
      return { kind: "disk", path: o.path };
    default: {
      if (o.keyv === undefined) throw new TypeError('kind "keyv" needs option "keyv" (a Keyv instance)');
      // Loaded lazily so the core does not import keyv-store's adapter drivers.
      if (!isKeyvLike(o.keyv)) throw new TypeError('option "keyv" must be a Keyv instance (an object with get, set, delete and a store)');
      return { kind: "keyv", keyv: o.keyv as KeyvLike };
    }
  }
}

function parseUrl(url: unknown): Target {
  if (typeof url !== "string" || url.length === 0) throw new TypeError('option "url" must be a non-empty string');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: "disk", path: url }; // a plain filesystem path
  switch (scheme) {
    case "redis":
    case "rediss":
      return { kind: "redis", url };
    case "postgres":
    case "postgresql":
      return { kind: "postgres", url };
    case "sqlite": {
      const file = url.slice("sqlite://".length);
      if (file.length === 0) throw new TypeError('option "url": sqlite:// needs a file path, e.g. sqlite://./data.sqlite');
      return { kind: "sqlite", url, file };
    }
    case "file":
      return { kind: "disk", path: fileURLToPath(url) };
    default:
      throw new TypeError(
        `option "url": unknown scheme "${scheme}://"; use redis://, rediss://, postgres://, postgresql://, sqlite://, file:// or a directory path`,
      );
  }
}

async function openRedis(url: string, namespace: string, timeout: number): Promise<KVStore> {
  const redis = await loadDriver<typeof import("@keyv/redis")>("@keyv/redis", "redis:// URLs", () => import("@keyv/redis"));
  const { Keyv } = await loadKeyv();
  let ready = false;
  const client = redis.createClient({
    url,
    // Fail fast instead of queueing commands while disconnected; reconnect after a drop,
    // but give up at once if the very first connection fails.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: timeout,
      reconnectStrategy: (retries: number, cause: Error) => (ready ? Math.min(50 * 2 ** retries, 2_000) : cause),
    },
  });
  client.on("ready", () => (ready = true));
  client.on("error", () => {}); // surfaced by the failing operation instead
  const adapter = new redis.default(client as never, { namespace });
  const keyv = new Keyv({ store: adapter, namespace, useKeyPrefix: false });
  const { KeyvStore } = await import("./keyv-store.ts");
  return KeyvStore.open(keyv as unknown as KeyvLike, { connectTimeoutMs: timeout, owned: true });
}

/** The part of the `pg` package used here (an optional peer, like @keyv/postgres). */
interface PgModule {
  Pool: new (config: Record<string, unknown>) => {
    query(sql: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
    on(event: "error", listener: (err: Error) => void): unknown;
    end(): Promise<void>;
  };
}

/**
 * Postgres through kvgit's own `pg` pool, in the table and key layout of
 * `new Keyv(new KeyvPostgres(url), { namespace })` (table public.keyv, keys "namespace:key"),
 * so a plain Keyv sees the same data. Its own pool, unlike the adapter's module-wide one,
 * can be ended on close and given an error listener (an idle connection dropped by the
 * server would otherwise crash the process).
 */
async function openPostgres(url: string, namespace: string, timeout: number): Promise<KVStore> {
  const PG = "pg";
  const pg = await loadDriver<{ default?: PgModule } & PgModule>(PG, "postgres:// URLs", () => import(PG));
  const Pool = (pg.default ?? pg).Pool;
  const pool = new Pool({ connectionString: url, connectionTimeoutMillis: timeout, allowExitOnIdle: true });
  pool.on("error", () => {}); // a dropped idle connection: the pool replaces it
  const { PostgresDriver } = await import("./keyv/postgres-driver.ts");
  const driver = new PostgresDriver(
    { query: async (sql, values) => (await pool.query(sql, values)).rows, opts: { dialect: "postgres", table: "keyv", schema: "public", uri: url } },
    { end: () => pool.end() },
  );
  const { KeyvStore } = await import("./keyv-store.ts");
  return KeyvStore.openDriver(driver, `${namespace}:`, timeout);
}

async function openSqlite(url: string, namespace: string, timeout: number): Promise<KVStore> {
  const sqlite = await loadDriver<typeof import("@keyv/sqlite")>("@keyv/sqlite", "sqlite:// URLs", () => import("@keyv/sqlite"));
  const { Keyv } = await loadKeyv();
  const { KeyvStore } = await import("./keyv-store.ts");
  const adapter = new sqlite.KeyvSqlite({ uri: url, busyTimeout: 10_000 });
  // Queue a statement at once: it handles the adapter's connection promise, which would
  // otherwise be an unhandled rejection if the file cannot be opened (the ping reports it).
  // WAL lets readers in other processes work while one writes; :memory: has no WAL.
  void adapter.query("PRAGMA journal_mode=WAL").catch(() => {});
  const keyv = new Keyv({ store: adapter, namespace });
  return KeyvStore.open(keyv as unknown as KeyvLike, { connectTimeoutMs: timeout, owned: true });
}

async function loadKeyv(): Promise<typeof import("keyv")> {
  return loadDriver<typeof import("keyv")>("keyv", "Keyv-backed stores", () => import("keyv"));
}


function isKVStore(x: unknown): x is KVStore {
  const s = x as Record<string, unknown> | null;
  if (s === null || typeof s !== "object") return false;
  return ["get", "getMany", "set", "setMany", "delete", "deleteMany", "has", "keys", "cas", "clear", "close"].every((m) => typeof s[m] === "function");
}

function describeUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@");
}
