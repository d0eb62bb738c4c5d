import type { KeyDiff } from "../index/keyset-index.ts";
import { hexAt, HASH_BYTES } from "../objects/hash.ts";
import { readVarint, varintLength, writeVarint } from "../objects/varint.ts";

/*
 * A commit's change record: the exact difference between its first parent's tree and its
 * own, as `diffTrees` would give it (key, the parent's value id, this commit's value id),
 * written when the commit is made from the changes it applied. `diff(parent, child)` — what
 * a commit changed, the most common diff — is then read from the child alone: no index node
 * is read, whatever the size of the store. Commits changing more than the caps below have
 * no record (their diffs walk the trees), so a record never makes a commit much bigger
 * than the index nodes it writes anyway.
 *
 * Layout (docs/format.md): varint count, then per key, ascending:
 *   u8 kind (1 added, 2 removed, 3 modified) | varint length, UTF-8 key
 *   | [20 parent's value id, unless added] | [20 commit's value id, unless removed]
 */

/** Most keys a change record lists. */
export const CHANGE_RECORD_CAP = 1024;
/** Most bytes a change record takes (keys may be long). */
export const CHANGE_RECORD_MAX_BYTES = 64 * 1024;

const ADDED = 1;
const REMOVED = 2;
const MODIFIED = 3;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** Whether `diffs` can be recorded: at most CHANGE_RECORD_CAP keys in CHANGE_RECORD_MAX_BYTES. */
export function changeRecordFits(diffs: readonly KeyDiff[]): boolean {
  if (diffs.length > CHANGE_RECORD_CAP) return false;
  let size = varintLength(diffs.length);
  for (const d of diffs) {
    const keyLength = Buffer.byteLength(d.key, "utf8");
    size += 1 + varintLength(keyLength) + keyLength + (d.from ? HASH_BYTES : 0) + (d.to ? HASH_BYTES : 0);
    if (size > CHANGE_RECORD_MAX_BYTES) return false;
  }
  return true;
}

/**
 * The record of `diffs`, ascending by key as applyChanges gives them. They must fit
 * (`changeRecordFits`, which the writer asks first); an Error here if they do not.
 */
export function encodeChangeRecord(diffs: readonly KeyDiff[]): Uint8Array {
  const keys = diffs.map((d) => utf8.encode(d.key));
  let size = 5;
  for (let i = 0; i < diffs.length; i++) size += 1 + 5 + keys[i].length + 2 * HASH_BYTES;
  const out = Buffer.alloc(size);
  let pos = writeVarint(out, 0, diffs.length);
  for (let i = 0; i < diffs.length; i++) {
    const { from, to } = diffs[i];
    out[pos++] = from === undefined ? ADDED : to === undefined ? REMOVED : MODIFIED;
    pos = writeVarint(out, pos, keys[i].length);
    out.set(keys[i], pos);
    pos += keys[i].length;
    if (from !== undefined) pos += out.write(from, pos, "hex");
    if (to !== undefined) pos += out.write(to, pos, "hex");
  }
  if (diffs.length > CHANGE_RECORD_CAP || pos > CHANGE_RECORD_MAX_BYTES) throw new Error("change record over its caps");
  return new Uint8Array(out.buffer, out.byteOffset, pos);
}

/**
 * The diffs of the record in `buf` from `at` to `end`. Throws an Error saying what is
 * wrong (the caller names the commit) when the bytes are not a record: a kind out of
 * range, a key that is not UTF-8 or not above the previous one, or a length that does not
 * end exactly at `end`.
 */
export function decodeChangeRecord(buf: Uint8Array, at: number, end: number): KeyDiff[] {
  const bytes = buf.subarray(0, end);
  let [count, pos] = readVarint(bytes, at);
  if (count > CHANGE_RECORD_CAP) throw new Error("change record too long");
  const out: KeyDiff[] = new Array(count);
  let previous: string | undefined;
  for (let i = 0; i < count; i++) {
    const kind = bytes[pos++];
    if (kind !== ADDED && kind !== REMOVED && kind !== MODIFIED) throw new Error("bad change kind");
    let length: number;
    [length, pos] = readVarint(bytes, pos);
    if (pos + length > end) throw new Error("truncated change record");
    if (length === 0) throw new Error("empty key in change record");
    const key = utf8Decoder.decode(bytes.subarray(pos, pos + length));
    pos += length;
    if (previous !== undefined && !(previous < key)) throw new Error("change record keys out of order");
    let from: string | undefined;
    let to: string | undefined;
    if (kind !== ADDED) {
      from = hexAt(bytes, pos);
      pos += HASH_BYTES;
    }
    if (kind !== REMOVED) {
      to = hexAt(bytes, pos);
      pos += HASH_BYTES;
    }
    if (from === to) throw new Error("change record lists an unchanged key");
    out[i] = { key, from, to };
    previous = key;
  }
  if (pos !== end) throw new Error("change record length mismatch");
  return out;
}

/** The entry of `key` in a record (ascending by key), or undefined: the key did not change. */
export function recordedChange(diffs: readonly KeyDiff[], key: string): KeyDiff | undefined {
  let lo = 0;
  let hi = diffs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = diffs[mid].key;
    if (k === key) return diffs[mid];
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** `diffs` seen from the other side: what turns the commit back into its parent. */
export function reversedChanges(diffs: readonly KeyDiff[]): KeyDiff[] {
  return diffs.map((d) => ({ key: d.key, from: d.to, to: d.from }));
}
