import type { Codec } from "../codec/codec.ts";
import { resolveCodec } from "../codec/resolve-codec.ts";
import { DEFAULT_CODEC, storeCodec } from "./store-codec.ts";
import type { KVStore } from "../kv/kv-store.ts";
import { openBackend } from "../kv/open-backend.ts";
import { Versioned } from "../versioned/versioned.ts";
import { checkBranchName } from "../versioned/refs.ts";
import { Live, type LiveStore } from "./live.ts";
import { Staged, type Schema, type Store } from "./staged.ts";
import { keepStoreShapesAlive } from "./shape-anchor.ts";
import type { WorkingCopyMode } from "./load-committed.ts";

export interface StoreOptions {
  /** "memory" (default), "disk" (needs `path`) or "keyv" (needs `keyv`). */
  kind?: "memory" | "disk" | "keyv";
  path?: string;
  /** A Keyv instance (Redis, PostgreSQL, SQLite, ... adapters). */
  keyv?: unknown;
  /** A connection string: redis://, postgres://, sqlite://, or a directory path (disk). */
  url?: string;
  /** Any KVStore; overrides `kind`. */
  backend?: KVStore;
  /** "versioned" (default) gives a Staged store; "live" a Live one (immediate writes). */
  type?: "versioned" | "live";
  branch?: string;
  /**
   * The codec values are written with; recorded in the store when it is created. Left out,
   * an existing store is read with the built-in codec it records (msgpack for a new one);
   * given, it must be the recorded one (else CodecError).
   */
  codec?: "msgpack" | "superjson" | "json" | "bytes" | Codec;
  /** Bound on how long connecting to a server may take. */
  connectTimeoutMs?: number;
  /** Key namespace inside a shared server opened from `url` (default "kvgit"). */
  namespace?: string;
  /**
   * False: open only an existing store and branch — never initialise an empty backend or
   * create the branch (FormatError / RefError instead). Default true.
   */
  create?: boolean;
  /** Rebase (GC) when the total encoded value size exceeds this many bytes. */
  highWaterBytes?: number;
  /** Rebase down to this many bytes (default 80 % of `highWaterBytes`). */
  lowWaterBytes?: number;
  /**
   * How a store object holds the committed state it reads synchronously: "load" keeps
   * every key (and small values, decoded) in memory; "index" reads each key from the index
   * when asked (memory and disk backends only: their reads are synchronous); "auto" (the
   * default) reads stores of more than about 100,000 keys on memory and disk from the
   * index and loads the rest. Reads give the same results either way; see docs/api.md.
   */
  workingCopy?: WorkingCopyMode;
}

const KNOWN_OPTIONS = new Set(["kind", "path", "keyv", "url", "backend", "type", "branch", "codec", "connectTimeoutMs", "namespace", "create", "highWaterBytes", "lowWaterBytes", "workingCopy"]);

/**
 * Opens a store. Bad options reject with a TypeError/RangeError naming the option; data in
 * the backend that is not a kvgit store rejects with FormatError and nothing is written.
 */
export async function store<S extends Schema = Record<string, unknown>>(options: StoreOptions & { type: "live" }): Promise<LiveStore<S>>;
export async function store<S extends Schema = Record<string, unknown>>(options?: StoreOptions & { type?: "versioned" }): Promise<Store<S>>;
export async function store<S extends Schema = Record<string, unknown>>(options: StoreOptions): Promise<Store<S> | LiveStore<S>>;
export async function store(options: StoreOptions = {}): Promise<Store | LiveStore> {
  if (options === null || typeof options !== "object") throw new TypeError(`store() options must be an object, got ${options === null ? "null" : typeof options}`);
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`unknown store() option ${JSON.stringify(key)}; known options: ${[...KNOWN_OPTIONS].join(", ")}`);
  }
  if (options.create !== undefined && typeof options.create !== "boolean") throw new TypeError(`option "create" must be a boolean, got ${typeof options.create}`);
  const type = options.type ?? "versioned";
  if (type !== "versioned" && type !== "live") throw new TypeError(`option "type" must be "versioned" or "live", got ${JSON.stringify(type)}`);
  const branch = options.branch ?? "main";
  checkBranchName(branch, "option \"branch\": branch");
  const requested = options.codec === undefined ? undefined : resolveCodec(options.codec); // bad option: TypeError before connecting
  const water = waterMarks(options);
  const workingCopy = options.workingCopy ?? "auto";
  if (workingCopy !== "auto" && workingCopy !== "load" && workingCopy !== "index") {
    throw new TypeError(`option "workingCopy" must be "auto", "load" or "index", got ${JSON.stringify(workingCopy)}`);
  }
  await keepStoreShapesAlive();
  const kv = await openBackend(options);
  try {
    const create = options.create !== false;
    // A store that records no codec (made before codecs were recorded) gains one only when
    // the option names it: the default could be the wrong guess.
    const versioned = await Versioned.open(kv, { create, codec: requested?.name ?? DEFAULT_CODEC, ...(requested ? { upgradeCodec: requested.name } : {}) });
    const codec = storeCodec(requested, versioned.codecName, kv.description);
    if (type === "live") return await Live.open(kv, codec);
    if (workingCopy === "index" && !versioned.objects.syncReads) {
      throw new RangeError(`option "workingCopy": "index" needs a backend with synchronous reads (memory or disk); ${kv.description} reads over the network, use "auto" or "load"`);
    }
    return await Staged.open({ versioned, codec, workingCopy, ...(water ? { water } : {}) }, branch, create);
  } catch (err) {
    await kv.close().catch(() => {});
    throw err;
  }
}

function waterMarks(options: StoreOptions): { high: number; low: number } | undefined {
  const { highWaterBytes: high, lowWaterBytes: low } = options;
  const positive = (name: string, v: unknown) => {
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new RangeError(`option "${name}" must be a positive number of bytes, got ${String(v)}`);
  };
  if (high === undefined) {
    if (low !== undefined) throw new RangeError(`option "lowWaterBytes" needs "highWaterBytes" too`);
    return undefined;
  }
  positive("highWaterBytes", high);
  if (low === undefined) return { high, low: Math.floor(high * 0.8) };
  positive("lowWaterBytes", low);
  if (low > high) throw new RangeError(`option "lowWaterBytes" (${low}) must not exceed "highWaterBytes" (${high})`);
  return { high, low };
}
