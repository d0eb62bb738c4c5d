import { Packr } from "msgpackr";
import { FormatError } from "../errors.ts";
import { readVarint, writeVarint } from "../objects/varint.ts";

/** An immutable commit: the keyset root it snapshots and where it came from. */
export interface Commit {
  readonly id: string;
  readonly root: string;
  /** First parent is the branch's previous head; a merge commit has two. */
  readonly parents: readonly string[];
  /** 1 for a root commit, else 1 + the largest parent generation (for merge bases). */
  readonly generation: number;
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly message?: string;
  readonly info?: Record<string, unknown>;
  /** Id of the merge-policy object in force on this commit's branch, if any (SPEC §5.5). */
  readonly policies?: string;
}

export type CommitFields = Omit<Commit, "id">;

/*
 * Format v1 (docs/format.md), a fixed binary layout so walking history reads a parent id
 * without a general-purpose decoder:
 *   u8 1 | varint generation | f64 BE time | root (20) | varint n | n x parent (20)
 *   | u8 flags (1 message, 2 policies, 4 info)
 *   | [varint len, UTF-8 message] | [policies (20)] | [info: msgpack, to the end]
 */
const COMMIT_VERSION = 1;
const FLAG_MESSAGE = 1;
const FLAG_POLICIES = 2;
const FLAG_INFO = 4;
const infoPackr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true, variableMapSize: true });
const utf8 = new TextEncoder();

export function encodeCommit(c: CommitFields): Uint8Array {
  const message = c.message === undefined ? undefined : utf8.encode(c.message);
  const info = c.info === undefined ? undefined : infoPackr.pack(c.info);
  const out = Buffer.alloc(1 + 5 + 8 + 20 + 5 + 20 * c.parents.length + 1 + (message ? 5 + message.length : 0) + (c.policies ? 20 : 0) + (info ? info.length : 0));
  let pos = 0;
  out[pos++] = COMMIT_VERSION;
  pos = writeVarint(out, pos, c.generation);
  out.writeDoubleBE(c.time, pos);
  pos += 8;
  pos += out.write(c.root, pos, "hex");
  pos = writeVarint(out, pos, c.parents.length);
  for (const p of c.parents) pos += out.write(p, pos, "hex");
  out[pos++] = (message ? FLAG_MESSAGE : 0) | (c.policies ? FLAG_POLICIES : 0) | (info ? FLAG_INFO : 0);
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
  readonly #buf: Uint8Array;
  readonly #timeAt: number;
  readonly #tail: number;
  readonly #flags: number;
  #root: string | undefined;

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
    if (pos >= buf.length) throw new Error("truncated");
    this.id = id;
    this.generation = generation;
    this.parents = parents;
    this.#buf = buf;
    this.#flags = buf[pos];
    this.#tail = pos + 1;
    this.#annotations(); // validates the rest now: corrupt bytes fail here, not later
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
    const out: { -readonly [K in keyof Commit]: Commit[K] } = { id: this.id, root: this.root, parents: this.parents, generation: this.generation, time: this.time };
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
export function firstParentOf(id: string, bytes: Uint8Array): string | null {
  let pos = rootOffset(bytes) + 20;
  if (bytes[0] !== COMMIT_VERSION || pos >= bytes.length) throw new FormatError(`commit ${id} is corrupt (truncated)`, { id });
  const n = bytes[pos++];
  if (n === 0) return null;
  if (n >= 0x80 || pos + 20 > bytes.length) throw new FormatError(`commit ${id} is corrupt (bad parents)`, { id });
  return hexAt(bytes, pos);
}

/** Offset of the root id: after the version byte, the generation varint and the time. */
function rootOffset(buf: Uint8Array): number {
  let pos = 1;
  while (buf[pos] >= 0x80) pos++;
  return pos + 1 + 8;
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

function hexAt(buf: Uint8Array, pos: number): string {
  if (pos + 20 > buf.length) throw new Error("truncated id");
  return Buffer.prototype.hexSlice.call(buf, pos, pos + 20) as string;
}
