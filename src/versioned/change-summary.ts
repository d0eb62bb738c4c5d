import { keyHash32 } from "../index/chunking.ts";

/*
 * Every commit records its place on its first-parent line and a summary of the keys that
 * changed along part of it, so `keyHistory` can skip stretches of history where a key did
 * not change instead of reading every commit (SPEC §4.4: cost in proportion to matches).
 *
 * The line is numbered by `depth` (1 for a root commit, else the first parent's + 1) and
 * split like a Fenwick tree: the commit at depth d covers the depths (d - L, d], where
 * L = lowbit(d) is d's lowest set bit. It keeps the ids of its ancestors at d - 1, d - 2,
 * d - 4, …, d - L (`lineJumps`; the last one, where the range ends, is left out when it
 * would be depth 0). The ancestor at d - 2^(i-1) covers exactly (d - 2^i, d - 2^(i-1)],
 * so the commit's range is its own change plus the ranges of its jumps but the last.
 *
 * `changeSummary` splits the range the same way: entry 0 holds the keys the commit itself
 * changed, entry i the keys changed in (d - 2^i, d - 2^(i-1)] that are not in an earlier
 * entry. A walk looking for the newest change of a key at or below d takes the first entry
 * that may hold the key: 0 → check this commit; i → jump to d - 2^(i-1), past a stretch
 * known to be clean; none → jump to d - L, past the whole range. Every step at least halves
 * what is left of the range, so a change is found in about log2(distance) commit reads.
 * Building a commit's summary reads the ancestors it jumps to — about one on average, and
 * cached, since they are the commits just below it.
 *
 * Entries are sorted 32-bit key hashes (`keyChangeHash`; a superset of the changed keys is
 * fine: every hit is confirmed by comparing the key's value ids), or null ("unknown": it
 * may hold any key) once the range has more than SUMMARY_CAP distinct hashes.
 */

/** Most hashes one commit's summary holds (4 bytes each); above it the summary is unknown. */
export const SUMMARY_CAP = 4096;

/** Seed that keeps this hash independent of the index's node-boundary hashes. */
const SUMMARY_SEED = 0x7fff;

export function keyChangeHash(key: string): number {
  return keyHash32(key, SUMMARY_SEED);
}

export function lowestSetBit(depth: number): number {
  let bit = 1;
  while (depth % (bit * 2) === 0) bit *= 2;
  return bit;
}

/** Depth of the commit a commit at `depth` skips to (0: none, the range reaches the root). */
export function skipDepth(depth: number): number {
  return depth - lowestSetBit(depth);
}

/** Sorted unique hashes of `keys`, or null when there are more than SUMMARY_CAP. */
export function summaryOf(keys: Iterable<string>): Uint32Array | null {
  const hashes: number[] = [];
  for (const key of keys) {
    hashes.push(keyChangeHash(key));
    if (hashes.length > SUMMARY_CAP * 4) return null; // clearly too many, even with duplicates
  }
  return sortedUnique(Uint32Array.from(hashes));
}

/** The union of two summaries (null, unknown, absorbs). */
export function unionSummaries(a: Uint32Array | null, b: Uint32Array | null): Uint32Array | null {
  if (a === null || b === null) return null;
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out = new Uint32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return sortedUnique(out);
}

function sortedUnique(hashes: Uint32Array): Uint32Array | null {
  hashes.sort();
  let n = 0;
  for (let i = 0; i < hashes.length; i++) if (i === 0 || hashes[i] !== hashes[n - 1]) hashes[n++] = hashes[i];
  return n > SUMMARY_CAP ? null : hashes.slice(0, n);
}

/** Every hash of a commit's range: the union of its summary's entries. */
export function rangeSummary(entries: readonly (Uint32Array | null)[]): Uint32Array | null {
  let acc: Uint32Array | null = new Uint32Array(0);
  for (const e of entries) acc = unionSummaries(acc, e);
  return acc;
}

/** The hashes of `b` not in `a` (both sorted); null when either is unknown. */
export function summaryDifference(b: Uint32Array | null, a: Uint32Array | null): Uint32Array | null {
  if (a === null || b === null) return null;
  return b.filter((h) => !summaryMayContain(a, h));
}

/** Index of the first entry that may hold `hash`, or -1 when the whole range is clean. */
export function firstPossibleChange(entries: readonly (Uint32Array | null)[], hash: number): number {
  for (let i = 0; i < entries.length; i++) if (summaryMayContain(entries[i], hash)) return i;
  return -1;
}

/** Whether a summary entry may hold the key with hash `hash` (an unknown one may hold any). */
export function summaryMayContain(summary: Uint32Array | null, hash: number): boolean {
  if (summary === null) return true;
  let lo = 0;
  let hi = summary.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = summary[mid];
    if (v === hash) return true;
    if (v < hash) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
