import { FormatError } from "../errors.ts";
import { HASH_BYTES, hexAt } from "../objects/hash.ts";
import { readVarint, writeVarint } from "../objects/varint.ts";

/**
 * A keyset index node. Leaves (height 0) map user keys to value ids; internal nodes map
 * the last key of each child to the child's node id. Keys ascend in JS string order.
 */
export interface IndexNode {
  readonly height: number;
  readonly keys: readonly string[];
  /** Value ids (leaf) or child node ids (internal), 40 hex characters each. */
  readonly ids: readonly string[];
}

/*
 * Byte format, version 1 (docs/format.md):
 *   varint height, varint count,
 *   count x (varint sharedPrefixBytes, varint suffixBytes, suffix UTF-8, 20-byte id)
 * Keys are prefix-compressed against the previous key's UTF-8 bytes. The encoding is a
 * pure function of the node, so equal nodes have equal ids.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/*
 * Scratch space for encodeNode, reused across calls (encoding is synchronous): the node's
 * bytes are built in `nodeScratch` and copied out once; each key's UTF-8 goes into one of
 * two key buffers, the other holding the previous key's for the shared prefix. One
 * allocation per node instead of one per key and per id — node encoding is a large part
 * of every commit, and a commit encodes one node per level of the tree.
 */
let nodeScratch = Buffer.allocUnsafe(1 << 16);
// Buffer's writers without `write`'s argument checks (the sizes are worked out above them).
const { utf8Write, hexWrite } = Buffer.prototype as unknown as {
  utf8Write(this: Buffer, text: string, offset: number): number;
  hexWrite(this: Buffer, text: string, offset: number, length: number): number;
};
let keyScratch = Buffer.allocUnsafe(1024);
let prevKeyScratch = Buffer.allocUnsafe(1024);

export function encodeNode(node: IndexNode): Uint8Array {
  const { keys, ids } = node;
  let bound = 20;
  let longestKey = 0;
  for (const k of keys) {
    bound += 10 + 3 * k.length + HASH_BYTES; // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (k.length > longestKey) longestKey = k.length;
  }
  if (nodeScratch.length < bound) nodeScratch = Buffer.allocUnsafe(bound);
  if (keyScratch.length < 3 * longestKey) {
    keyScratch = Buffer.allocUnsafe(3 * longestKey);
    prevKeyScratch = Buffer.allocUnsafe(3 * longestKey);
  }
  const out = nodeScratch;
  let key = keyScratch;
  let prev = prevKeyScratch;
  let prevLength = 0;
  let pos = writeVarint(out, 0, node.height);
  pos = writeVarint(out, pos, keys.length);
  for (let i = 0; i < keys.length; i++) {
    const length = utf8Write.call(key, keys[i], 0);
    let shared = 0;
    const max = Math.min(prevLength, length);
    while (shared < max && prev[shared] === key[shared]) shared++;
    pos = writeVarint(out, pos, shared);
    pos = writeVarint(out, pos, length - shared);
    for (let j = shared; j < length; j++) out[pos++] = key[j]; // a few bytes: a loop beats a copy call
    pos += hexWrite.call(out, ids[i], pos, HASH_BYTES);
    [key, prev] = [prev, key];
    prevLength = length;
  }
  const bytes = new Uint8Array(pos);
  bytes.set(out.subarray(0, pos));
  return bytes;
}

/**
 * Decodes an index node. With `idOffsets`, also records where each entry's 20-byte id
 * sits in `bytes`, so a caller can look the ids up by their bytes (no hex round trip).
 */
export function decodeNode(bytes: Uint8Array, id = "?", idOffsets?: number[]): IndexNode {
  try {
    let pos = 0;
    let height: number;
    let count: number;
    [height, pos] = readVarint(bytes, pos);
    [count, pos] = readVarint(bytes, pos);
    const keys: string[] = new Array(count);
    const ids: string[] = new Array(count);
    // Two native calls per node instead of two per entry: ids are slices of the node's hex
    // text, ASCII key suffixes slices of its latin1 text (the bytes are the characters).
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const hex = buf.toString("hex");
    const text = buf.toString("latin1");
    const end = bytes.length;
    let prevKey = "";
    let prevAscii = true;
    for (let i = 0; i < count; i++) {
      // varints below 128 (every realistic key length) take one byte
      let shared = bytes[pos];
      if (shared < 0x80) pos++;
      else [shared, pos] = readVarint(bytes, pos);
      let suffix = bytes[pos];
      if (suffix < 0x80) pos++;
      else [suffix, pos] = readVarint(bytes, pos);
      if (pos + suffix + HASH_BYTES > end) throw new Error("truncated entry");
      let ascii: boolean = prevAscii;
      for (let j = pos; ascii && j < pos + suffix; j++) if (bytes[j] >= 0x80) ascii = false;
      let key: string;
      if (ascii) {
        if (shared > prevKey.length) throw new Error("bad shared prefix");
        const tail = text.slice(pos, pos + suffix);
        key = shared === 0 ? tail : prevKey.slice(0, shared) + tail;
      } else {
        key = utf8Key(prevKey, shared, bytes.subarray(pos, pos + suffix));
        ascii = !/[^\x00-\x7f]/.test(key);
      }
      pos += suffix;
      keys[i] = key;
      if (idOffsets) idOffsets[i] = pos;
      ids[i] = hex.slice(2 * pos, 2 * (pos + HASH_BYTES));
      pos += HASH_BYTES;
      if (i > 0 && !(prevKey < key)) throw new Error("keys out of order");
      prevKey = key;
      prevAscii = ascii;
    }
    if (pos !== end) throw new Error("trailing bytes");
    return { height, keys, ids };
  } catch (err) {
    throw new FormatError(`index node ${id} is corrupt (${(err as Error).message}); the store's data is damaged`, { id });
  }
}

/** The entry count of an encoded leaf, read from its header alone. */
export function leafEntryCount(bytes: Uint8Array, id = "?"): number {
  try {
    const [height, pos] = readVarint(bytes, 0);
    if (height !== 0) throw new Error(`height ${height} where a leaf was expected`);
    return readVarint(bytes, pos)[0];
  } catch (err) {
    throw new FormatError(`index node ${id} is corrupt (${(err as Error).message}); the store's data is damaged`, { id });
  }
}

/** A child (in a leaf: an entry) that differs between two aligned nodes: its key and both ids. */
export interface AlignedChild {
  readonly key: string;
  readonly idA: string;
  readonly idB: string;
}

/**
 * Compares two encoded nodes whose entries have byte-identical keys (the usual case when
 * only values changed below them: boundaries depend on keys alone), straight from their
 * bytes. Returns, in key order, each child (in a leaf: each entry) whose id differs, with
 * its key and both ids; only those keys and ids become strings. Null when the nodes are not
 * two well-formed nodes of one height with the same keys, and for keys beyond ASCII (only
 * decoding checks their UTF-8 and their order, which is not byte order there): the caller
 * then decodes them.
 */
export function alignChildren(a: Uint8Array, b: Uint8Array): { height: number; children: AlignedChild[] } | null {
  const children: AlignedChild[] = [];
  const height = alignChecked(a, b, children, null);
  return height === null ? null : { height, children };
}

/**
 * `alignChildren` of two internal nodes, giving only where the ids of the differing
 * children sit (the same offset in both nodes): no key or id becomes a string. Null as for
 * alignChildren, and for leaves.
 */
export function alignChildOffsets(a: Uint8Array, b: Uint8Array): number[] | null {
  if (a[0] === 0) return null;
  const offsets: number[] = [];
  return alignChecked(a, b, null, offsets) === null ? null : offsets;
}

/**
 * The walk of both; returns the height, or null. Differing children go into `children`,
 * or, when it is null, only their id offsets into `offsets`.
 */
function alignChecked(a: Uint8Array, b: Uint8Array, children: AlignedChild[] | null, offsets: number[] | null): number | null {
  if (a.length !== b.length) return null;
  const end = a.length;
  let pos = 0;
  let height: number;
  let count: number;
  try {
    [height, pos] = readVarint(a, 0);
    [count, pos] = readVarint(a, pos);
  } catch {
    return null;
  }
  // Identical lengths and, checked below, identical bytes up to each id: the entries sit
  // at the same offsets in both nodes, so one position walks both.
  for (let j = 0; j < pos; j++) if (a[j] !== b[j]) return null;
  let key = alignKey;
  let keyLength = 0;
  for (let i = 0; i < count; i++) {
    const entryStart = pos;
    // varints below 128 (every realistic key length) take one byte
    let shared = a[pos];
    let suffix = a[pos + 1];
    if (shared < 0x80 && suffix < 0x80) pos += 2;
    else {
      try {
        [shared, pos] = readVarint(a, pos);
        [suffix, pos] = readVarint(a, pos);
      } catch {
        return null;
      }
    }
    const idAt = pos + suffix;
    if (idAt + HASH_BYTES > end || shared > keyLength) return null;
    // Keys must ascend (ASCII only, so byte order is their order).
    if (i > 0 && (suffix === 0 || (shared < keyLength && a[pos] <= key[shared]))) return null;
    for (let j = entryStart; j < idAt; j++) if (a[j] !== b[j]) return null;
    let same = true;
    for (let j = idAt; j < idAt + HASH_BYTES; j++) {
      if (a[j] !== b[j]) {
        same = false;
        break;
      }
    }
    if (shared + suffix > key.length) {
      const grown = new Uint8Array(Math.max(2 * key.length, shared + suffix));
      grown.set(key.subarray(0, keyLength));
      key = alignKey = grown;
    }
    for (let j = pos, k = shared; j < idAt; j++, k++) {
      if (a[j] >= 0x80) return null;
      key[k] = a[j];
    }
    keyLength = shared + suffix;
    if (!same) {
      if (children) children.push({ key: Buffer.from(key.buffer, key.byteOffset, keyLength).toString("latin1"), idA: hexAt(a, idAt), idB: hexAt(b, idAt) });
      else offsets?.push(idAt);
    }
    pos = idAt + HASH_BYTES;
  }
  return pos === end ? height : null;
}

/** Scratch buffer for the key being rebuilt by `alignChildren`. */
let alignKey = new Uint8Array(256);

/** A key whose bytes are not all ASCII: the previous key's first `shared` UTF-8 bytes + `suffix`. */
function utf8Key(prevKey: string, shared: number, suffix: Uint8Array): string {
  const prevBytes = encoder.encode(prevKey);
  if (shared > prevBytes.length) throw new Error("bad shared prefix");
  const kb = new Uint8Array(shared + suffix.length);
  kb.set(prevBytes.subarray(0, shared));
  kb.set(suffix, shared);
  return decoder.decode(kb);
}
