import { Packr } from "msgpackr";
import { FormatError } from "../errors.ts";
import { readVarint, writeVarint } from "../objects/varint.ts";
import { hexAt } from "../objects/hash.ts";
import type { KeyDiff } from "../index/keyset-index.ts";
import { lowestSetBit, skipDepth } from "./change-summary.ts";
import { decodeChangeRecord, encodeChangeRecord } from "./change-record.ts";

/** An immutable commit: the keyset root it snapshots and where it came from. */
export interface Commit {
  readonly id: string;
  readonly root: string;
  /** First parent is the branch's previous head; a merge commit has two. */
  readonly parents: readonly string[];
  /** 1 for a root commit, else 1 + the largest parent generation (for merge bases). */
  readonly generation: number;
  /** Place on the first-parent line: 1 for a root commit, else the first parent's + 1. */
  readonly depth: number;
  /**
   * First-parent ancestors at depths `depth - 2^i` for i = 0 … log2(lowbit(depth)) that
   * are above 0: the first parent first, the commit this one's range skips to last
   * (change-summary.ts).
   */
  readonly lineJumps: readonly string[];
  /**
   * Key-hash summaries of the changes in this commit's range: [0] the keys this commit
   * changed against its first parent; [i] the keys changed at depths
   * (depth - 2^i, depth - 2^(i-1)] not already in an earlier entry. Null: unknown.
   */
  readonly changeSummary: readonly (Uint32Array | null)[];
  /**
   * The exact difference from the first parent's tree to this commit's, ascending by key
   * (change-record.ts); absent for root commits, commits written before format 3, and
   * commits that changed more than a record holds. Must fit (`changeRecordFits`).
   */
  readonly changes?: readonly KeyDiff[];
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly message?: string;
  /** Plain JSON-like data (checked by encodeCommit); deep-frozen when read from bytes. */
  readonly info?: Readonly<Record<string, unknown>>;
  /** Id of the merge-policy object in force on this commit's branch, if any (SPEC §5.5). */
  readonly policies?: string;
}

export type CommitFields = Omit<Commit, "id">;

/*
 * Commit layout 3 (docs/format.md), a fixed binary layout so walking history reads a
 * parent id without a general-purpose decoder:
 *   u8 3 | varint generation | f64 BE time | root (20) | varint n | n x parent (20)
 *   | varint depth | u8 flags (1 message, 2 policies, 4 info, 8 changes)
 *   | lineJumps[1..] (20 each) | changeSummary: per entry varint count + 1 (0: unknown)
 *   and count x u32 BE | [varint byte length, change record] | [varint len, UTF-8 message]
 *   | [policies (20)] | [info: msgpack]
 * How many jumps and summary entries there are follows from the depth (jumpCount).
 * Layout 2 (format 2) is the same without flag 8 and is still read.
 */
const COMMIT_VERSION = 3;
const LAYOUT_2 = 2;
/** Whether `layoutByte` (a commit's first byte) is a layout this library reads. */
const readableLayout = (layoutByte: number) => layoutByte === COMMIT_VERSION || layoutByte === LAYOUT_2;
const FLAG_MESSAGE = 1;
const FLAG_POLICIES = 2;
const FLAG_INFO = 4;
const FLAG_CHANGES = 8;
const infoPackr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true, variableMapSize: true });
const utf8 = new TextEncoder();

export function encodeCommit(c: CommitFields): Uint8Array {
  checkCommitMessage(c.message);
  const message = c.message === undefined ? undefined : utf8.encode(c.message);
  const info = c.info === undefined ? undefined : infoPackr.pack(plainCommitInfo(c.info));
  if (c.changes && c.parents.length === 0) throw new Error("a change record needs a first parent");
  const changes = c.changes && encodeChangeRecord(c.changes);
  const jumps = jumpCount(c.depth);
  if (c.lineJumps.length !== jumps || c.changeSummary.length !== summaryCount(c.depth) || (jumps > 0 && c.lineJumps[0] !== c.parents[0])) {
    throw new Error(`commit at depth ${c.depth} needs ${jumps} line jumps (the first its first parent) and ${summaryCount(c.depth)} summaries`);
  }
  let summaryBytes = 0;
  for (const s of c.changeSummary) summaryBytes += 5 + (s ? 4 * s.length : 0);
  const out = Buffer.alloc(
    1 + 5 + 8 + 20 + 5 + 20 * c.parents.length + 5 + 1 + 20 * jumps + summaryBytes + (changes ? 5 + changes.length : 0) + (message ? 5 + message.length : 0) + (c.policies ? 20 : 0) + (info ? info.length : 0),
  );
  let pos = 0;
  out[pos++] = COMMIT_VERSION;
  pos = writeVarint(out, pos, c.generation);
  out.writeDoubleBE(c.time, pos);
  pos += 8;
  pos += out.write(c.root, pos, "hex");
  pos = writeVarint(out, pos, c.parents.length);
  for (const p of c.parents) pos += out.write(p, pos, "hex");
  pos = writeVarint(out, pos, c.depth);
  out[pos++] = (message ? FLAG_MESSAGE : 0) | (c.policies ? FLAG_POLICIES : 0) | (info ? FLAG_INFO : 0) | (changes ? FLAG_CHANGES : 0);
  for (let i = 1; i < jumps; i++) pos += out.write(c.lineJumps[i], pos, "hex");
  for (const hashes of c.changeSummary) {
    pos = writeVarint(out, pos, hashes ? hashes.length + 1 : 0);
    if (hashes) for (const h of hashes) pos = out.writeUInt32BE(h, pos);
  }
  if (changes) {
    pos = writeVarint(out, pos, changes.length);
    out.set(changes, pos);
    pos += changes.length;
  }
  if (message) {
    pos = writeVarint(out, pos, message.length);
    out.set(message, pos);
    pos += message.length;
  }
  if (c.policies) pos += out.write(c.policies, pos, "hex");
  if (info) {
    out.set(info, pos);
    pos += info.length;
  }
  return new Uint8Array(out.buffer, out.byteOffset, pos).slice();
}

/** What commit info may hold, for error messages (docs/api.md, `CommitOptions`). */
const INFO_RULE = "commit info must be plain JSON-like data (plain objects, arrays, strings, finite numbers, booleans, null)";
/** How deeply info may nest: the encoder recurses, and far deeper data would overflow the stack. */
export const MAX_INFO_DEPTH = 256;

/** A commit message is a well-formed string or absent; TypeError naming `message` otherwise. */
export function checkCommitMessage(message: unknown): asserts message is string | undefined {
  if (message === undefined) return;
  if (typeof message !== "string") throw new TypeError(`message must be a string or undefined, got ${describeValue(message)}`);
  if (!message.isWellFormed()) throw new TypeError(`message contains a lone surrogate; a commit message must be well-formed Unicode`);
}

/**
 * `message` and `info` checked (TypeError naming the argument, and for info the offending
 * path) with info copied as plain data, each property read once: later changes to the
 * caller's object cannot reach the commit. Only the defined ones are returned.
 */
export function checkedAnnotations(fields: { message?: unknown; info?: unknown }): { message?: string; info?: Record<string, unknown> } {
  const out: { message?: string; info?: Record<string, unknown> } = {};
  checkCommitMessage(fields.message);
  if (fields.message !== undefined) out.message = fields.message;
  if (fields.info !== undefined) out.info = plainCommitInfo(fields.info);
  return out;
}

/**
 * A copy of `info` made of plain objects, arrays, well-formed strings, finite numbers,
 * booleans and null — exactly what the info encoding gives back in every process. Anything
 * else (Map, Set, Date, class instances, functions, symbols, bigints, undefined, NaN, sparse
 * arrays, cycles, a `__proto__` key, lone surrogates) is a TypeError naming its path.
 */
export function plainCommitInfo(info: unknown): Record<string, unknown> {
  if (info === null || typeof info !== "object" || Array.isArray(info)) {
    throw new TypeError(`info must be a plain object or undefined, got ${describeValue(info)}; ${INFO_RULE}`);
  }
  return plainValue(info, "info", [], 0) as Record<string, unknown>;
}

function plainValue(v: unknown, path: string, open: object[], depth: number): unknown {
  switch (typeof v) {
    case "string":
      if (!v.isWellFormed()) throw new TypeError(`${path} contains a lone surrogate; ${INFO_RULE} with well-formed strings`);
      return v;
    case "boolean":
      return v;
    case "number":
      if (!Number.isFinite(v)) throw new TypeError(`${path} is ${v}; ${INFO_RULE}`);
      return v === 0 ? 0 : v; // -0 reads back as 0
    case "object":
      break;
    default:
      throw new TypeError(`${path} is ${describeValue(v)}; ${INFO_RULE}`);
  }
  if (v === null) return null;
  if (open.includes(v)) throw new TypeError(`${path} is a circular reference; ${INFO_RULE}`);
  if (depth >= MAX_INFO_DEPTH) throw new TypeError(`${path} nests more than ${MAX_INFO_DEPTH} levels deep; ${INFO_RULE}, at most ${MAX_INFO_DEPTH} levels deep`);
  open.push(v);
  try {
    if (Array.isArray(v)) {
      if (Object.getPrototypeOf(v) !== Array.prototype) throw new TypeError(`${path} is ${describeValue(v)}; ${INFO_RULE}`);
      const out: unknown[] = new Array(v.length);
      for (let i = 0; i < v.length; i++) {
        if (!(i in v)) throw new TypeError(`${path}[${i}] is a hole in a sparse array; ${INFO_RULE}`);
        out[i] = plainValue(v[i], `${path}[${i}]`, open, depth + 1);
      }
      const keys = Object.keys(v);
      if (keys.length !== v.length) {
        const extra = keys.find((k) => !(String(Number(k)) === k && Number(k) < v.length));
        throw new TypeError(`${path} is an array with a non-index property ${JSON.stringify(extra)}; ${INFO_RULE}`);
      }
      checkSymbolKeys(v, path);
      return out;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) throw new TypeError(`${path} is ${describeValue(v)}; ${INFO_RULE}`);
    checkSymbolKeys(v, path);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) {
      const at = `${path}${propertyPath(key)}`;
      if (key === "__proto__") throw new TypeError(`${path} has the key "__proto__", which cannot be stored; ${INFO_RULE}`);
      if (!key.isWellFormed()) throw new TypeError(`${at}: the key contains a lone surrogate; ${INFO_RULE} with well-formed keys`);
      out[key] = plainValue((v as Record<string, unknown>)[key], at, open, depth + 1);
    }
    return out;
  } finally {
    open.pop();
  }
}

function checkSymbolKeys(v: object, path: string): void {
  for (const sym of Object.getOwnPropertySymbols(v)) {
    if (Object.prototype.propertyIsEnumerable.call(v, sym)) throw new TypeError(`${path} has a symbol key (${String(sym)}); ${INFO_RULE}`);
  }
}

function propertyPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** "a Map", "a function", "undefined", "number 42": what a value is, for an error message. */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "undefined":
      return "undefined";
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
    case "bigint":
      return "a bigint";
    case "object": {
      const proto = Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null;
      if (proto === Array.prototype) return "an array";
      if (proto === Object.prototype || proto === null) return "an object";
      const name = proto.constructor?.name;
      return typeof name === "string" && name !== "" && name !== "Object" ? `a ${name}` : "an object with a custom prototype";
    }
    case "string":
      return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    default:
      return `${typeof v} ${String(v)}`;
  }
}

/**
 * Freezes `v` and everything it holds: decoded info is shared by every reader of a commit.
 * Binary data (info written before the checks above could hold it) cannot be frozen.
 */
function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === "object" && !ArrayBuffer.isView(v) && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

/** How many line jumps a commit at `depth` has: one per power of two up to its lowbit, above 0. */
export function jumpCount(depth: number): number {
  const levels = Math.log2(lowestSetBit(depth)) + 1;
  return skipDepth(depth) > 0 ? levels : levels - 1;
}

/** How many change-summary entries a commit at `depth` has: its own, then one per jump span. */
export function summaryCount(depth: number): number {
  return Math.log2(lowestSetBit(depth)) + 1;
}

export function decodeCommit(id: string, bytes: Uint8Array): Commit {
  try {
    return new DecodedCommit(id, bytes);
  } catch (err) {
    throw new FormatError(`commit ${id} is corrupt (${(err as Error).message}); the store's data is damaged`, { id });
  }
}

/**
 * A commit read from its bytes. Validates the whole layout up front but converts only what
 * a history walk needs (parents, generation, time); the root id and the annotations are
 * decoded on first access.
 */
class DecodedCommit implements Commit {
  readonly id: string;
  readonly parents: readonly string[];
  readonly generation: number;
  readonly depth: number;
  readonly #buf: Uint8Array;
  readonly #jumpsAt: number;
  readonly #summaries: (StoredSummary | null)[];
  readonly #timeAt: number;
  readonly #tail: number;
  readonly #flags: number;
  /** Where the change record starts (-1: none) and ends; decoded on first use. */
  readonly #changesAt: number;
  readonly #changesEnd: number;
  #changes: readonly KeyDiff[] | undefined;
  #root: string | undefined;
  #jumps: string[] | undefined;

  constructor(id: string, bytes: Uint8Array) {
    const buf = bytes;
    if (!readableLayout(buf[0])) throw new Error(`unknown commit version ${buf[0]}`);
    let pos = 1;
    let generation: number;
    [generation, pos] = readVarint(buf, pos);
    if (pos + 28 > buf.length) throw new Error("truncated");
    this.#timeAt = pos;
    pos += 28; // time and root
    let n: number;
    [n, pos] = readVarint(buf, pos);
    const parents: string[] = new Array(n);
    for (let i = 0; i < n; i++, pos += 20) parents[i] = hexAt(buf, pos);
    let depth: number;
    [depth, pos] = readVarint(buf, pos);
    if (pos >= buf.length || depth < 1 || (n === 0) !== (depth === 1)) throw new Error("bad depth");
    const flags = buf[pos++];
    if (flags & ~(FLAG_MESSAGE | FLAG_POLICIES | FLAG_INFO | (buf[0] === LAYOUT_2 ? 0 : FLAG_CHANGES))) throw new Error("unknown flags");
    if (flags & FLAG_CHANGES && n === 0) throw new Error("change record without a parent");
    this.#jumpsAt = pos;
    pos += 20 * Math.max(0, jumpCount(depth) - 1);
    const summaries: (StoredSummary | null)[] = [];
    for (let i = summaryCount(depth); i > 0; i--) {
      const [countPlusOne, at] = readVarint(buf, pos);
      const s = countPlusOne === 0 ? null : checkedSummary(buf, at, countPlusOne - 1);
      pos = s ? s.end : at;
      summaries.push(s);
    }
    if (pos > buf.length) throw new Error("truncated");
    this.#changesAt = -1;
    this.#changesEnd = pos;
    if (flags & FLAG_CHANGES) {
      let length: number;
      [length, pos] = readVarint(buf, pos);
      if (pos + length > buf.length) throw new Error("truncated change record");
      this.#changesAt = pos;
      this.#changesEnd = pos += length;
    }
    this.id = id;
    this.generation = generation;
    this.parents = parents;
    this.depth = depth;
    this.#buf = buf;
    this.#summaries = summaries;
    this.#flags = flags;
    this.#tail = pos;
    this.#annotations(); // validates the rest now: corrupt bytes fail here, not later
  }

  get lineJumps(): readonly string[] {
    if (this.#jumps) return this.#jumps;
    const count = jumpCount(this.depth);
    const out = count > 0 ? [this.parents[0]] : [];
    for (let i = 1, p = this.#jumpsAt; i < count; i++, p += 20) out.push(hexAt(this.#buf, p));
    return (this.#jumps = out);
  }

  /** Decoded on first use; a damaged record is a FormatError naming this commit. */
  get changes(): readonly KeyDiff[] | undefined {
    if (this.#changes || this.#changesAt < 0) return this.#changes;
    try {
      return (this.#changes = decodeChangeRecord(this.#buf, this.#changesAt, this.#changesEnd));
    } catch (err) {
      throw new FormatError(`commit ${this.id} is corrupt (${(err as Error).message}); the store's data is damaged`, { id: this.id });
    }
  }

  get changeSummary(): readonly (Uint32Array | null)[] {
    return this.#summaries.map((s) => s && (s.hashes ??= readHashes(this.#buf, s)));
  }

  get time(): number {
    const b = this.#buf;
    return new DataView(b.buffer, b.byteOffset, b.byteLength).getFloat64(this.#timeAt);
  }

  get root(): string {
    return (this.#root ??= hexAt(this.#buf, rootOffset(this.#buf)));
  }

  get message(): string | undefined {
    return this.#annotations().message;
  }

  get info(): Readonly<Record<string, unknown>> | undefined {
    return this.#annotations().info;
  }

  get policies(): string | undefined {
    return this.#annotations().policies;
  }

  #parsed: { message?: string; info?: Record<string, unknown>; policies?: string } | undefined;

  #annotations(): { message?: string; info?: Record<string, unknown>; policies?: string } {
    if (this.#parsed) return this.#parsed;
    const buf = this.#buf;
    const flags = this.#flags;
    let pos = this.#tail;
    const out: { message?: string; info?: Record<string, unknown>; policies?: string } = {};
    if (flags & FLAG_MESSAGE) {
      let len: number;
      [len, pos] = readVarint(buf, pos);
      if (pos + len > buf.length) throw new Error("truncated message");
      out.message = utf8Decoder.decode(buf.subarray(pos, pos + len));
      pos += len;
    }
    if (flags & FLAG_POLICIES) {
      out.policies = hexAt(buf, pos);
      pos += 20;
    }
    if (flags & FLAG_INFO) {
      // Frozen: every reader of this commit (log, commitInfo, the cache) shares the object.
      out.info = deepFreeze(infoPackr.unpack(buf.subarray(pos)) as Record<string, unknown>);
      pos = buf.length;
    }
    if (pos !== buf.length) throw new Error("trailing bytes");
    return (this.#parsed = out);
  }

  /** Plain fields, so a commit compares and prints like the object it was made from. */
  toJSON(): Omit<Commit, never> {
    const out: { -readonly [K in keyof Commit]: Commit[K] } = {
      id: this.id,
      root: this.root,
      parents: this.parents,
      generation: this.generation,
      depth: this.depth,
      lineJumps: this.lineJumps,
      changeSummary: this.changeSummary,
      time: this.time,
    };
    if (this.changes) out.changes = this.changes;
    const a = this.#annotations();
    if (a.message !== undefined) out.message = a.message;
    if (a.info !== undefined) out.info = a.info;
    if (a.policies !== undefined) out.policies = a.policies;
    return out;
  }
}

/** `firstParentOffset` of a root commit. */
export const NO_PARENT = -1;
/** `firstParentOffset` of bytes that are not a commit; `corruptCommit` says what is wrong. */
export const NOT_A_COMMIT = -2;

/**
 * Where the first parent's 20-byte id sits in an encoded commit, read without decoding the
 * commit: what a first-parent history walk needs from each commit. NO_PARENT for a root
 * commit, NOT_A_COMMIT for bytes that cannot be one (the walk then names the commit,
 * which it knows only as bytes, through `corruptCommit`).
 */
export function firstParentOffset(bytes: Uint8Array): number {
  let pos = rootOffset(bytes) + 20;
  if (!readableLayout(bytes[0]) || pos >= bytes.length) return NOT_A_COMMIT;
  const n = bytes[pos++];
  if (n === 0) return NO_PARENT;
  if (n >= 0x80 || pos + 20 > bytes.length) return NOT_A_COMMIT;
  return pos;
}

/**
 * Where the id of the first-parent line's commit two steps down (depth − 2, the second
 * line jump) sits, given `parentAt` from `firstParentOffset`: commits at an even depth
 * above 2 store it (docs/format.md). NO_PARENT for any other commit, NOT_A_COMMIT for
 * truncated bytes. A first-parent walk reads only the commits it gets from here and
 * takes the ids between from their children, halving its reads.
 */
export function grandparentOffset(bytes: Uint8Array, parentAt: number): number {
  let pos = parentAt + 20 * bytes[parentAt - 1];
  const depthLow = bytes[pos];
  // The depth's low 7 bits are in its varint's first byte: even, and above 2 (a depth of
  // 2 has no ancestor at 0 to store).
  if ((depthLow & 1) !== 0 || depthLow === 2 || depthLow === 0) return NO_PARENT;
  while (bytes[pos] >= 0x80) pos++;
  pos += 2; // the varint's last byte, then the flags
  return pos + 20 <= bytes.length ? pos : NOT_A_COMMIT;
}

/**
 * The FormatError for commit `id`, whose `bytes` gave NOT_A_COMMIT: from `grandparentOffset`
 * when `lineJumps` is set, else from `firstParentOffset`.
 */
export function corruptCommit(id: string, bytes: Uint8Array, lineJumps = false): FormatError {
  const pos = rootOffset(bytes) + 20;
  const reason = lineJumps ? "truncated line jumps" : !readableLayout(bytes[0]) || pos >= bytes.length ? "truncated" : "bad parents";
  return new FormatError(`commit ${id} is corrupt (${reason})`, { id });
}

/** Offset of the root id: after the version byte, the generation varint and the time. */
function rootOffset(buf: Uint8Array): number {
  let pos = 1;
  while (buf[pos] >= 0x80) pos++;
  return pos + 1 + 8;
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** Where a change summary's hashes sit in a commit's bytes; decoded on first use. */
interface StoredSummary {
  at: number;
  count: number;
  end: number;
  hashes?: Uint32Array;
}

/**
 * The summary entry of `count` hashes at `at`, checked to ascend strictly: the walks
 * binary-search it, and an unsorted entry would make them skip a change silently.
 */
function checkedSummary(buf: Uint8Array, at: number, count: number): StoredSummary {
  const end = at + 4 * count;
  if (end > buf.length) throw new Error("truncated summary");
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let p = at + 4; p < end; p += 4) if (view.getUint32(p) <= view.getUint32(p - 4)) throw new Error("summary hashes out of order");
  return { at, count, end };
}

function readHashes(b: Uint8Array, s: StoredSummary): Uint32Array {
  const out = new Uint32Array(s.count);
  for (let i = 0, p = s.at; i < out.length; i++, p += 4) out[i] = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  return out;
}
