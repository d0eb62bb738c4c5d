/**
 * The data every workload uses (BENCHMARKS.md "Common rules"): key and value generators,
 * the W3 PRNG and the counter merge.
 */
import * as kvgit from "../src/index.ts";
import type { Staged } from "../src/index.ts";

/** `"k"` + i zero-padded to 6 digits. */
export function key(i: number): string {
  return "k" + String(i).padStart(6, "0");
}

export interface BenchValue {
  id: number;
  name: string;
  tags: string[];
  score: number;
}

export function value(i: number): BenchValue {
  return { id: i, name: "user-" + i, tags: ["a", "b"], score: i * 1.5 };
}

/** value(i) with `score: i * 1.5 + rev`. */
export function modified(i: number, rev: number): BenchValue {
  return { id: i, name: "user-" + i, tags: ["a", "b"], score: i * 1.5 + rev };
}

/** `"ctr-"` + c zero-padded to 3 digits: an integer counter. */
export function ctr(c: number): string {
  return "ctr-" + String(c).padStart(3, "0");
}

/** Park–Miller minimal standard generator: x = (x * 48271) % 2147483647. */
export function parkMiller(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 48271) % 2147483647);
}

/**
 * The store as a plain dictionary: the same Proxy object, typed so `d[key]` reads and
 * `d[key] = v` stages (SPEC §4.2) without casting at every use.
 */
export function dict(s: Staged): Record<string, unknown> {
  return s as unknown as Record<string, unknown>;
}

/** Bulk load: `s[key(i)] = value(i)` for i = 0 … n−1 in order (the commit is the caller's). */
export function stageBulk(s: Staged, n: number): void {
  const d = dict(s);
  for (let i = 0; i < n; i++) d[key(i)] = value(i);
}

/** The counter merge, inline: ours + theirs − base. */
export const inlineCounterMerge = (b: number | undefined, o: number | undefined, t: number | undefined): number =>
  (o ?? 0) + (t ?? 0) - (b ?? 0);

type CounterFactory = () => kvgit.ContentType<number>;

/** The library's `counter()` content type once it is exported, else undefined. */
function libraryCounter(): CounterFactory | undefined {
  const candidate = (kvgit as unknown as Record<string, unknown>).counter;
  return typeof candidate === "function" ? (candidate as CounterFactory) : undefined;
}

/** How counters are registered in this run: the library's `counter()` or the inline fn. */
export const counterMergeKind: "counter()" | "inline" = libraryCounter() ? "counter()" : "inline";

/** Registers the counter merge for `k` on `s` (the `counter()` content type when exported). */
export function registerCounter(s: Staged, k: string): void {
  const factory = libraryCounter();
  if (factory) s.setContentType(k, factory());
  else s.setMergeFn(k, inlineCounterMerge);
}
