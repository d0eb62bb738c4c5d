import { constants as fsConstants } from "node:fs";
import { access, lstat, mkdir, open as openFile, readdir } from "node:fs/promises";
import { resolve } from "node:path";
import { BackendError, FormatError } from "../errors.ts";
import { bytesEqual, type KVStore } from "./kv-store.ts";
import { loadDriver, messageOf } from "./load-driver.ts";
import { findForeignExclusiveLock } from "./posix-locks.ts";

/** The part of the `lmdb` package this backend uses (the package is an optional peer). */
interface LmdbDatabase {
  getBinary(key: Buffer): Buffer | undefined;
  getBinaryFast(key: Buffer): Buffer | undefined;
  doesExist(key: Buffer): boolean;
  putSync(key: Buffer | string, value: Buffer): void;
  removeSync(key: Buffer): boolean;
  transactionSync<T>(fn: () => T): T;
  getKeys(options?: { start?: Buffer; limit?: number }): Iterable<Buffer | string>;
  clearSync(): void;
  resetReadTxn(): void;
  openDB(options: { name: string; encoding: "binary"; keyEncoding: "binary"; compression: false }): LmdbDatabase;
  close(): Promise<void>;
}
interface LmdbModule {
  open(options: Record<string, unknown>): LmdbDatabase;
}

export interface DiskStoreOptions {
  /** Override how the `lmdb` driver is loaded (tests use this to simulate its absence). */
  loadDriver?: () => Promise<unknown>;
}

const DATA_DB = "kvgit-data";
const META_DB = "kvgit-meta";
const LAYOUT = 1;
/** Files LMDB keeps in the directory; anything else there means it is not ours. */
const OWN_FILES = new Set(["data.mdb", "lock.mdb"]);
const SCAN_BATCH = 1_000;

/**
 * Embedded persistent backend on LMDB (one directory holding `data.mdb` and `lock.mdb`).
 *
 * - Durable: every write is one LMDB transaction, fsynced before the call resolves.
 * - Shared: any number of processes may open the same directory; LMDB's single writer
 *   lock (a robust mutex, released if its holder dies) makes `cas` atomic across them.
 * - Crash-safe: LMDB is copy-on-write; a killed process leaves the last committed state.
 * - Reads see every write committed (by any process) before the read began.
 */
export class DiskStore implements KVStore {
  readonly atomicCas = true;
  readonly shared = true;
  readonly description: string;
  readonly path: string;
  private closed = false;

  private constructor(
    path: string,
    private readonly root: LmdbDatabase,
    private readonly data: LmdbDatabase,
  ) {
    this.path = path;
    this.description = `disk:${path}`;
  }

  static async open(path: string, options: DiskStoreOptions = {}): Promise<DiskStore> {
    if (typeof path !== "string" || path.length === 0) {
      throw new TypeError(`disk store: option "path" must be a non-empty string, got ${path === "" ? '""' : typeof path}`);
    }
    const dir = resolve(path);
    await prepareDirectory(dir);
    const lmdb = await loadDriver<LmdbModule>("lmdb", "the disk backend", options.loadDriver ?? (() => import("lmdb")));
    const { root, data } = openEnvironment(lmdb, dir);
    return new DiskStore(dir, root, data);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.run("get", () => {
      this.root.resetReadTxn();
      return asBytes(this.data.getBinary(encodeKey(key)));
    });
  }

  /**
   * LMDB reads are memory-mapped and synchronous: hot read paths skip the promise. Served
   * from the read snapshot the last async read refreshed (kvgit reads a branch head, always
   * async, before the immutable objects it names), so it skips the per-read refresh.
   */
  getSync(key: string): Uint8Array | undefined {
    return this.run("get", () => asBytes(this.data.getBinary(encodeKey(key))));
  }

  /** Like `getSync`, without the copy: LMDB's shared read buffer, valid until the next read. */
  getSyncView(key: string): Uint8Array | undefined {
    return this.run("get", () => {
      const b = this.data.getBinaryFast(encodeKey(key));
      // lmdb reuses one large buffer and sets its `length` to the value size.
      return b === undefined ? undefined : new Uint8Array(b.buffer, b.byteOffset, b.length);
    });
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    return this.run("getMany", () => {
      this.root.resetReadTxn();
      const out = new Map<string, Uint8Array>();
      for (const k of keys) {
        const v = this.data.getBinary(encodeKey(k));
        if (v !== undefined) out.set(k, asBytes(v));
      }
      return out;
    });
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    this.run("set", () => this.data.putSync(encodeKey(key), asBuffer(value)));
  }

  async setMany(entries: Iterable<readonly [string, Uint8Array]>): Promise<void> {
    this.run("setMany", () =>
      this.data.transactionSync(() => {
        for (const [k, v] of entries) this.data.putSync(encodeKey(k), asBuffer(v));
      }),
    );
  }

  async delete(key: string): Promise<void> {
    this.run("delete", () => this.data.removeSync(encodeKey(key)));
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    this.run("deleteMany", () =>
      this.data.transactionSync(() => {
        for (const k of keys) this.data.removeSync(encodeKey(k));
      }),
    );
  }

  async has(key: string): Promise<boolean> {
    return this.run("has", () => {
      this.root.resetReadTxn();
      return this.data.doesExist(encodeKey(key));
    });
  }

  async *keys(prefix = ""): AsyncIterable<string> {
    // Read in batches, each from a fresh snapshot, never holding a cursor across an await.
    let start = encodeKey(prefix);
    for (;;) {
      const batch = this.run("keys", () => {
        this.root.resetReadTxn();
        const out: string[] = [];
        for (const raw of this.data.getKeys({ start, limit: SCAN_BATCH })) {
          const k = decodeKey(raw);
          if (!k.startsWith(prefix)) return { keys: out, done: true };
          out.push(k);
        }
        return { keys: out, done: out.length < SCAN_BATCH };
      });
      yield* batch.keys;
      if (batch.done) return;
      start = encodeKey(batch.keys[batch.keys.length - 1] + "\u0000");
    }
  }

  async cas(key: string, value: Uint8Array, expected: Uint8Array | undefined): Promise<boolean> {
    const k = encodeKey(key);
    const v = asBuffer(value);
    // A write transaction holds LMDB's cross-process writer lock: read, compare and write
    // happen with no other writer in between.
    return this.run("cas", () =>
      this.data.transactionSync(() => {
        if (!bytesEqual(this.data.getBinary(k), expected)) return false;
        this.data.putSync(k, v);
        return true;
      }),
    );
  }

  async casDelete(key: string, expected: Uint8Array): Promise<boolean> {
    const k = encodeKey(key);
    // Same as cas: compare and remove inside one write transaction (cross-process lock).
    return this.run("casDelete", () =>
      this.data.transactionSync(() => {
        const cur = this.data.getBinary(k);
        if (cur === undefined || !bytesEqual(cur, expected)) return false;
        this.data.removeSync(k);
        return true;
      }),
    );
  }

  async clear(): Promise<void> {
    this.run("clear", () => this.data.clearSync());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.root.close();
    } catch (err) {
      throw new BackendError(`disk store ${this.path}: close failed: ${messageOf(err)}`, { path: this.path }, { cause: err });
    }
  }

  private run<T>(op: string, fn: () => T): T {
    if (this.closed) throw new BackendError(`disk store ${this.path} is closed`, { path: this.path, op });
    try {
      const result = fn();
      // After a write, later synchronous reads must see it: start a fresh read snapshot.
      if (WRITES.has(op)) this.root.resetReadTxn();
      return result;
    } catch (err) {
      if (/Key size is larger than the maximum/.test(messageOf(err))) {
        throw new RangeError(`disk store ${this.path}: ${op}: a key is longer than the 1978 bytes LMDB allows`);
      }
      throw new BackendError(`disk store ${this.path}: ${op} failed: ${messageOf(err)}`, { path: this.path, op }, { cause: err });
    }
  }
}

/** Keys are stored as a marker byte plus UTF-8, so the empty key is storable and order is bytewise. */
function encodeKey(key: string): Buffer {
  return Buffer.from("k" + key, "utf8");
}

function decodeKey(raw: Buffer | string): string {
  return typeof raw === "string" ? raw.slice(1) : raw.toString("utf8", 1);
}

/** getBinary returns a fresh copy; expose it as a plain Uint8Array like every backend. */
const WRITES = new Set(["set", "setMany", "delete", "deleteMany", "cas", "casDelete", "clear"]);

function asBytes(b: Buffer): Uint8Array;
function asBytes(b: Buffer | undefined): Uint8Array | undefined;
function asBytes(b: Buffer | undefined): Uint8Array | undefined {
  return b === undefined ? undefined : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function asBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

async function prepareDirectory(dir: string): Promise<void> {
  let st;
  try {
    st = await lstat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new BackendError(`disk store ${dir}: cannot inspect the path: ${messageOf(err)}`, { path: dir }, { cause: err });
    }
  }
  if (st === undefined) {
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw new BackendError(`disk store ${dir}: cannot create the directory: ${messageOf(err)}`, { path: dir }, { cause: err });
    }
  } else if (!st.isDirectory()) {
    throw new TypeError(`disk store: option "path" must be a directory, but ${dir} is ${st.isFile() ? "a regular file" : "not a directory"}`);
  }
  try {
    await access(dir, fsConstants.R_OK | fsConstants.W_OK | fsConstants.X_OK);
  } catch (err) {
    throw new BackendError(`disk store ${dir}: the directory is not writable (${(err as NodeJS.ErrnoException).code ?? messageOf(err)})`, { path: dir }, { cause: err });
  }
  const entries = await readdir(dir);
  if (entries.length > 0 && !entries.includes("data.mdb")) {
    const foreign = entries.filter((e) => !OWN_FILES.has(e)).slice(0, 3);
    throw new FormatError(
      `disk store ${dir}: the directory holds other files (${foreign.join(", ")}) and no kvgit store; use a new or empty directory`,
      { path: dir, files: foreign },
    );
  }
  if (entries.includes("data.mdb")) await checkDataFile(dir);
  const holder = await findForeignExclusiveLock(resolve(dir, "lock.mdb"));
  if (holder !== undefined) {
    throw new BackendError(
      `disk store ${dir}: lock.mdb is locked exclusively by process ${holder}, which is not using it the way LMDB does; stop that process or use another directory`,
      { path: dir, pid: holder },
    );
  }
}

const LMDB_MAGIC = 0xbeefc0de;
const META_MAGIC_OFFSET = 0x18; // after the page header
const META_PSIZE_OFFSET = 0x30; // mm_dbs[FREE_DBI].md_pad holds the page size

/**
 * LMDB trusts its file and crashes the process on one that is not LMDB, so check both meta
 * pages' magic number before handing the file over.
 */
async function checkDataFile(dir: string): Promise<void> {
  const file = resolve(dir, "data.mdb");
  const notOurs = (why: string): FormatError =>
    new FormatError(`disk store ${dir}: data.mdb is not an LMDB file (${why}), so not a kvgit store`, { path: dir, file });
  let fh;
  try {
    fh = await openFile(file, "r");
  } catch (err) {
    throw new BackendError(`disk store ${dir}: cannot read data.mdb: ${messageOf(err)}`, { path: dir }, { cause: err });
  }
  try {
    const { size } = await fh.stat();
    if (size === 0) return; // created but never initialised (a crash during creation): LMDB starts it afresh
    const head = Buffer.alloc(64);
    const { bytesRead } = await fh.read(head, 0, 64, 0);
    if (bytesRead < 64 || head.readUInt32LE(META_MAGIC_OFFSET) !== LMDB_MAGIC) throw notOurs("bad magic number");
    const psize = head.readUInt32LE(META_PSIZE_OFFSET);
    if (psize < 512 || psize > 65536 || (psize & (psize - 1)) !== 0 || size < 2 * psize) throw notOurs("bad page size");
    const second = Buffer.alloc(4);
    await fh.read(second, 0, 4, psize + META_MAGIC_OFFSET);
    if (second.readUInt32LE(0) !== LMDB_MAGIC) throw notOurs("bad second meta page");
  } finally {
    await fh.close();
  }
}

function openEnvironment(lmdb: LmdbModule, dir: string): { root: LmdbDatabase; data: LmdbDatabase } {
  let root: LmdbDatabase;
  try {
    // overlappingSync off: the fsync happens inside each commit, so a resolved write is durable.
    root = lmdb.open({ path: dir, compression: false, overlappingSync: false, maxDbs: 4 });
  } catch (err) {
    throw openError(dir, err);
  }
  try {
    // Anything in the root other than our two sub-databases is someone else's LMDB data.
    const names: string[] = [];
    for (const k of root.getKeys({ limit: 16 })) names.push(String(k));
    const foreign = names.filter((n) => n !== DATA_DB && n !== META_DB);
    if (foreign.length > 0 || (names.length > 0 && !names.includes(META_DB))) {
      throw new FormatError(`disk store ${dir}: data.mdb is an LMDB database that is not a kvgit store`, { path: dir });
    }
    const meta = root.openDB({ name: META_DB, encoding: "binary", keyEncoding: "binary", compression: false });
    const data = root.openDB({ name: DATA_DB, encoding: "binary", keyEncoding: "binary", compression: false });
    const marker = meta.transactionSync(() => {
      const key = Buffer.from("layout");
      const cur = meta.getBinary(key);
      if (cur !== undefined) return cur.toString("utf8");
      const mine = JSON.stringify({ engine: "lmdb", layout: LAYOUT });
      meta.putSync(key, Buffer.from(mine));
      return mine;
    });
    checkMarker(dir, marker);
    return { root, data };
  } catch (err) {
    void root.close().catch(() => {});
    if (err instanceof FormatError) throw err;
    throw openError(dir, err);
  }
}

function checkMarker(dir: string, marker: string): void {
  let parsed: { engine?: unknown; layout?: unknown };
  try {
    parsed = JSON.parse(marker) as typeof parsed;
  } catch {
    throw new FormatError(`disk store ${dir}: unreadable layout marker`, { path: dir });
  }
  if (parsed.engine !== "lmdb" || typeof parsed.layout !== "number") {
    throw new FormatError(`disk store ${dir}: unknown layout marker ${marker}`, { path: dir });
  }
  if (parsed.layout > LAYOUT) {
    throw new FormatError(`disk store ${dir}: layout ${parsed.layout} is newer than this kvgit understands (${LAYOUT}); upgrade kvgit`, {
      path: dir,
      layout: parsed.layout,
    });
  }
}

function openError(dir: string, err: unknown): Error {
  const msg = messageOf(err);
  if (/MDB_INVALID|not an LMDB file/i.test(msg)) {
    return new FormatError(`disk store ${dir}: data.mdb is not an LMDB file, so not a kvgit store (${msg})`, { path: dir });
  }
  if (/MDB_VERSION_MISMATCH|version mismatch/i.test(msg)) {
    return new BackendError(`disk store ${dir}: the store is in use by a program with an incompatible LMDB version (${msg})`, { path: dir }, { cause: err });
  }
  if (/EACCES|EPERM|EROFS|permission denied|read-only/i.test(msg)) {
    return new BackendError(`disk store ${dir}: the directory is not writable (${msg})`, { path: dir }, { cause: err });
  }
  return new BackendError(`disk store ${dir}: cannot open: ${msg}`, { path: dir }, { cause: err });
}
