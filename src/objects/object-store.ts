import type { KVStore } from "../kv/kv-store.ts";
import { BackendError } from "../errors.ts";
import { hashHex, hexAt } from "./hash.ts";
import { keepShapeAlive } from "./shape-anchor.ts";

/**
 * Content-addressed, immutable objects on a KVStore. Three kinds live under their own key
 * prefix so a kind can be listed (ref prefixes, GC) without decoding anything:
 *   v/<id>  value bytes exactly as the codec produced them
 *   n/<id>  keyset index nodes
 *   c/<id>  commits
 */
export type ObjectKind = "v" | "n" | "c";

const PREFIXES: Record<ObjectKind, string> = { v: "v/", n: "n/", c: "c/" };

export function objectKey(kind: ObjectKind, id: string): string {
  return `${kind}/${id}`;
}

export class ObjectStore {
  constructor(readonly kv: KVStore) {}

  async get(kind: ObjectKind, id: string): Promise<Uint8Array | undefined> {
    return backendCall(this.kv, "get", () => this.kv.get(objectKey(kind, id)));
  }

  /** Whether `getSync` works: the backend is in-process and offers synchronous reads. */
  get syncReads(): boolean {
    return typeof this.kv.getSync === "function";
  }

  /** A synchronous read; only when `syncReads`. */
  getSync(kind: ObjectKind, id: string): Uint8Array | undefined {
    const kv = this.kv;
    return kv.getSyncParts ? kv.getSyncParts(PREFIXES[kind], id) : kv.getSync!(objectKey(kind, id));
  }

  /** Whether `getSyncAt` looks ids up by their bytes (else it makes their hex first). */
  get rawIdReads(): boolean {
    return typeof this.kv.getSyncId === "function";
  }

  /**
   * A synchronous read of the object whose id is the 20 bytes at `offset` of `bytes` (an
   * id stored inside another object); only when `syncReads`.
   */
  getSyncAt(kind: ObjectKind, bytes: Uint8Array, offset: number): Uint8Array | undefined {
    const kv = this.kv;
    return kv.getSyncId ? kv.getSyncId(PREFIXES[kind], bytes, offset) : this.getSync(kind, hexAt(bytes, offset));
  }

  /**
   * A synchronous read whose bytes may be only a view valid until the next read (decode
   * them at once, or copy them); only when `syncReads`.
   */
  getSyncView(kind: ObjectKind, id: string): Uint8Array | undefined {
    const kv = this.kv;
    return kv.getSyncView ? kv.getSyncView(objectKey(kind, id)) : this.getSync(kind, id);
  }

  /** One batched backend read; only ids that exist appear in the result. */
  async getMany(kind: ObjectKind, ids: Iterable<string>): Promise<Map<string, Uint8Array>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const found = await backendCall(this.kv, "getMany", () => this.kv.getMany(unique.map((id) => objectKey(kind, id))));
    const out = new Map<string, Uint8Array>();
    const cut = kind.length + 1;
    for (const [k, v] of found) out.set(k.slice(cut), v);
    return out;
  }

  /** Starts a write batch: objects are buffered and written by one `setMany` in `flush`. */
  batch(): WriteBatch {
    return new WriteBatch(this.kv);
  }
}

/**
 * The objects one commit creates. They are all written (flush) before the branch head
 * moves, so a crash leaves the head at a complete commit (SPEC §4.8).
 */
export class WriteBatch {
  private readonly pending = new Map<string, Uint8Array>();
  /** Everything flushed so far, for `rewrite`. */
  private readonly flushed = new Map<string, Uint8Array>();
  /**
   * Awaited once, before the first flush that writes anything (Versioned: an older
   * format's record is raised before a commit lands; a batch never flushed, such as
   * tryMerge's, changes nothing).
   */
  beforeFlush: (() => Promise<void>) | undefined = undefined;

  constructor(private readonly kv: KVStore) {}

  put(kind: ObjectKind, bytes: Uint8Array): string {
    const id = hashHex(bytes);
    this.pending.set(objectKey(kind, id), bytes);
    return id;
  }

  /** Like `put`, for bytes whose id the caller already computed with `hashHex`. */
  putWithId(kind: ObjectKind, id: string, bytes: Uint8Array): void {
    this.pending.set(objectKey(kind, id), bytes);
  }

  get size(): number {
    return this.pending.size;
  }

  /** An object put into this batch and not yet flushed. */
  pendingObject(kind: ObjectKind, id: string): Uint8Array | undefined {
    return this.pending.get(objectKey(kind, id));
  }

  /**
   * Writes everything put since the last flush. With `rewrite`, also writes again what
   * earlier flushes wrote, under a fresh journal record: a commit retried after losing a
   * CAS race re-asserts its objects, so the GC age guard counts from this attempt.
   */
  async flush(opts: { rewrite?: boolean } = {}): Promise<void> {
    if (opts.rewrite) for (const [k, v] of this.flushed) if (!this.pending.has(k)) this.pending.set(k, v);
    if (this.pending.size === 0) return;
    if (this.beforeFlush) {
      await this.beforeFlush();
      this.beforeFlush = undefined;
    }
    // The journal record goes first in the same write, so a garbage collector that lists
    // an object of this batch also finds the record protecting it (see versioned/gc.ts).
    const entries: [string, Uint8Array][] = [journalEntry([...this.pending.keys()]), ...this.pending];
    for (const [k, v] of this.pending) this.flushed.set(k, v);
    this.pending.clear();
    await backendCall(this.kv, "setMany", () => this.kv.setMany(entries));
  }
}

// Keeps WriteBatch's hidden classes alive between commits (see shape-anchor.ts).
keepShapeAlive(new WriteBatch(undefined as unknown as KVStore));

/** Journal records: w/<time base36>-<random>, listing the objects one batch wrote. */
export const JOURNAL_PREFIX = "w/";

function journalEntry(objectKeys: string[]): [string, Uint8Array] {
  const out = Buffer.alloc(objectKeys.length * 21);
  let pos = 0;
  for (const key of objectKeys) {
    out[pos] = key.charCodeAt(0);
    out.write(key.slice(2), pos + 1, "hex");
    pos += 21;
  }
  const rand = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, "0");
  return [`${JOURNAL_PREFIX}${Date.now().toString(36).padStart(9, "0")}-${rand}`, new Uint8Array(out.buffer, out.byteOffset, pos)];
}

/** The time a journal record was written and the object keys it lists. */
export function readJournal(key: string, bytes: Uint8Array): { time: number; objectKeys: string[] } {
  const time = parseInt(key.slice(JOURNAL_PREFIX.length, JOURNAL_PREFIX.length + 9), 36);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const objectKeys: string[] = [];
  for (let pos = 0; pos + 21 <= buf.length; pos += 21) objectKeys.push(`${String.fromCharCode(buf[pos])}/${buf.toString("hex", pos + 1, pos + 21)}`);
  return { time, objectKeys };
}

/** Runs a backend call, wrapping any failure that is not already ours in a BackendError. */
export async function backendCall<T>(kv: KVStore, op: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof BackendError) throw err;
    if (err instanceof TypeError || err instanceof RangeError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    throw new BackendError(`backend ${kv.description} failed during ${op}: ${msg}`, { op, backend: kv.description }, { cause: err });
  }
}
