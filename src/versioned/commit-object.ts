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
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buf[0] !== COMMIT_VERSION) throw new Error(`unknown commit version ${buf[0]}`);
    let pos = 1;
    let generation: number;
    [generation, pos] = readVarint(buf, pos);
    const time = buf.readDoubleBE(pos);
    pos += 8;
    const root = hexAt(buf, pos);
    pos += 20;
    let n: number;
    [n, pos] = readVarint(buf, pos);
    const parents: string[] = new Array(n);
    for (let i = 0; i < n; i++, pos += 20) parents[i] = hexAt(buf, pos);
    if (pos >= buf.length) throw new Error("truncated");
    const flags = buf[pos++];
    const commit: { -readonly [K in keyof Commit]: Commit[K] } = { id, root, parents, generation, time };
    if (flags & FLAG_MESSAGE) {
      let len: number;
      [len, pos] = readVarint(buf, pos);
      if (pos + len > buf.length) throw new Error("truncated message");
      commit.message = buf.toString("utf8", pos, pos + len);
      pos += len;
    }
    if (flags & FLAG_POLICIES) {
      commit.policies = hexAt(buf, pos);
      pos += 20;
    }
    if (flags & FLAG_INFO) {
      commit.info = infoPackr.unpack(buf.subarray(pos)) as Record<string, unknown>;
      pos = buf.length;
    }
    if (pos !== buf.length) throw new Error("trailing bytes");
    return commit;
  } catch (err) {
    throw new FormatError(`commit ${id} is corrupt (${(err as Error).message}); the store's data is damaged`, { id });
  }
}

function hexAt(buf: Buffer, pos: number): string {
  if (pos + 20 > buf.length) throw new Error("truncated id");
  return buf.toString("hex", pos, pos + 20);
}
