import { hash as nodeHash } from "node:crypto";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/**
 * Object ids are SHA-256 truncated to 160 bits (40 hex characters, like git's ids):
 * collision-safe for any store that fits in memory, and 12 bytes shorter per index entry
 * than a full digest, which keeps a single-key commit's new index nodes small.
 *
 * `node:crypto`'s one-shot `hash()` is 2-5x faster than @noble/hashes for the 60 B - 4 KiB
 * inputs we hash (bench/probe/hash-speed.mjs); @noble/hashes is the fallback where it is
 * missing. Both are plain SHA-256, so ids are identical on every platform.
 */
export const HASH_BYTES = 20;
export const HASH_HEX_LENGTH = HASH_BYTES * 2;

const fastHash: ((data: Uint8Array) => string) | undefined =
  typeof nodeHash === "function" ? (data) => (nodeHash("sha256", data, "hex") as string).slice(0, HASH_HEX_LENGTH) : undefined;

/** Portable implementation; also used by tests to check the fast path agrees. */
export function hashHexPortable(data: Uint8Array): string {
  return bytesToHex(sha256(data).subarray(0, HASH_BYTES));
}

/** The id of an object: hex of the first 20 bytes of SHA-256(data). */
export const hashHex: (data: Uint8Array) => string = fastHash ?? hashHexPortable;

/** The id stored as 20 raw bytes at `pos` of `bytes` (inside a commit or a node), as hex. */
export function hexAt(bytes: Uint8Array, pos: number): string {
  if (pos + HASH_BYTES > bytes.length) throw new Error("truncated id");
  return Buffer.prototype.hexSlice.call(bytes, pos, pos + HASH_BYTES) as string;
}

/**
 * The first `count` ids packed as 20 bytes each in `raw`, as hex: one native call for all
 * of them, then a substring each. V8 makes those slices of the one string, not copies, so
 * an id kept keeps its chunk's text (40 characters per id) alive, as `decodeNode`'s do.
 */
export function hexOfIds(raw: Uint8Array, count: number): string[] {
  const text = Buffer.prototype.hexSlice.call(raw, 0, count * HASH_BYTES) as string;
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) ids[i] = text.substring(i * HASH_HEX_LENGTH, (i + 1) * HASH_HEX_LENGTH);
  return ids;
}

const HEX_ID = /^[0-9a-f]{40}$/;
export function isHashHex(s: string): boolean {
  return HEX_ID.test(s);
}
