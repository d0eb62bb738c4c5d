import { Packr } from "msgpackr";
import { FormatError } from "../errors.ts";
import { readVarint, writeVarint } from "../objects/varint.ts";
import { hexAt } from "../objects/hash.ts";
import { lowestSetBit, skipDepth } from "./change-summary.ts";

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
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly message?: string;
  readonly info?: Record<string, unknown>;
  /** Id of the merge-policy object in force on this commit's branch, if any (SPEC §5.5). */
  readonly policies?: string;
}

export type CommitFields = Omit<Commit, "id">;

/*
 * Commit layout 2 (docs/format.md), a fixed binary layout so walking history reads a
 * parent id without a general-purpose decoder:
 *   u8 2 | varint generation | f64 BE time | root (20) | varint n | n x parent (20)
 *   | varint depth | u8 flags (1 message, 2 policies, 4 info)
 *   | lineJumps[1..] (20 each) | changeSummary: per entry varint count + 1 (0: unknown)
 *   and count x u32 BE | [varint len, UTF-8 message] | [policies (20)] | [info: msgpack]
 * How many jumps and summary entries there are follows from the depth (jumpCount).
 */
const COMMIT_VERSION = 2;
const FLAG_MESSAGE = 1;
const FLAG_POLICIES = 2;
const FLAG_INFO = 4;
const infoPackr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true, variableMapSize: true });
const utf8 = new TextEncoder();

export function encodeCommit(c: CommitFields): Uint8Array {
  const message = c.message === undefined ? undefined : utf8.encode(c.message);
  const info = c.info === undefined ? undefined : infoPackr.pack(c.info);
  const jumps = jumpCount(c.depth);
  if (c.lineJumps.length !== jumps || c.changeSummary.length !== summaryCount(c.depth) || (jumps > 0 && c.lineJumps[0] !== c.parents[0])) {
    throw new Error(`commit at depth ${c.depth} needs ${jumps} line jumps (the first its first parent) and ${summaryCount(c.depth)} summaries`);
  }
  let summaryBytes = 0;
  for (const s of c.changeSummary) summaryBytes += 5 + (s ? 4 * s.length : 0);
  const out = Buffer.alloc(
    1 + 5 + 8 + 20 + 5 + 20 * c.parents.length + 5 + 1 + 20 * jumps + summaryBytes + (message ? 5 + message.length : 0) + (c.policies ? 20 : 0) + (info ? info.length : 0),
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
  out[pos++] = (message ? FLAG_MESSAGE : 0) | (c.policies ? FLAG_POLICIES : 0) | (info ? FLAG_INFO : 0);
  for (let i = 1; i < jumps; i++) pos += out.write(c.lineJumps[i], pos, "hex");
  for (const hashes of c.changeSummary) {
    pos = writeVarint(out, pos, hashes ? hashes.length + 1 : 0);
    if (hashes) for (const h of hashes) pos = out.writeUInt32BE(h, pos);
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
  #root: string | undefined;
  #jumps: string[] | undefined;

  constructor(id: string, bytes: Uint8Array) {
    const buf = bytes;
    if (buf[0] !== COMMIT_VERSION) throw new Error(`unknown commit version ${buf[0]}`);
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

  get info(): Record<string, unknown> | undefined {
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
      out.info = infoPackr.unpack(buf.subarray(pos)) as Record<string, unknown>;
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
    const a = this.#annotations();
    if (a.message !== undefined) out.message = a.message;
    if (a.info !== undefined) out.info = a.info;
    if (a.policies !== undefined) out.policies = a.policies;
    return out;
  }
}

/**
 * The first parent of the commit encoded in `bytes` (null for a root commit), read without
 * decoding the commit: what a first-parent history walk needs from each commit.
 */
/** Where the first parent's 20-byte id sits in an encoded commit; -1 for a root commit. */
export function firstParentOffset(id: string, bytes: Uint8Array): number {
  let pos = rootOffset(bytes) + 20;
  if (bytes[0] !== COMMIT_VERSION || pos >= bytes.length) throw new FormatError(`commit ${id} is corrupt (truncated)`, { id });
  const n = bytes[pos++];
  if (n === 0) return -1;
  if (n >= 0x80 || pos + 20 > bytes.length) throw new FormatError(`commit ${id} is corrupt (bad parents)`, { id });
  return pos;
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
