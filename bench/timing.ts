/**
 * Timed regions and the iteration loop (BENCHMARKS.md "Common rules"): `global.gc()` just
 * before each timed region, `performance.now()` around it, 1 warm-up iteration and R
 * recorded ones, a check per iteration that aborts the benchmark on failure.
 */
import { isDeepStrictEqual } from "node:util";

const gcFn = (globalThis as { gc?: () => void }).gc;

/** Whether node runs with --expose-gc (npm run bench does). */
export const gcAvailable = typeof gcFn === "function";

/** Full collection before a timed region, so garbage from setup is not paid inside it. */
export function collectGarbage(): void {
  gcFn?.();
}

/** Runs `fn` as a timed region: gc, then the elapsed milliseconds of `fn`. */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ ms: number; result: T }> {
  collectGarbage();
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

/** Milliseconds since `t0` (for untimed extras that do not need a gc before them). */
export function since(t0: number): number {
  return performance.now() - t0;
}

/** A failed per-iteration check: aborts the whole benchmark. */
export class CheckError extends Error {
  override readonly name = "CheckError";
}

export function check(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new CheckError(typeof message === "function" ? message() : message);
}

export function checkEqual(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new CheckError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

function show(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    if (s !== undefined) return s.length > 200 ? s.slice(0, 200) + "…" : s;
  } catch {
    // fall through
  }
  return String(v);
}

/** One iteration's timed milliseconds plus named extras (also milliseconds or counts). */
export interface IterationSample {
  ms: number;
  extra?: Record<string, number>;
}

export interface IterationRun {
  /** Timed milliseconds of the recorded iterations, in order. */
  samples: number[];
  /** Each extra's values over the recorded iterations, in order. */
  extras: Record<string, number[]>;
}

/**
 * Runs `warmup` + `repeats` iterations of `iteration(i)`; warm-up iterations are checked
 * but not recorded. A thrown error (a CheckError or a library error) names the iteration.
 */
export async function runIterations(
  label: string,
  warmup: number,
  repeats: number,
  iteration: (index: number) => Promise<IterationSample>,
): Promise<IterationRun> {
  const samples: number[] = [];
  const extras: Record<string, number[]> = {};
  for (let i = 0; i < warmup + repeats; i++) {
    let sample: IterationSample;
    try {
      sample = await iteration(i);
    } catch (err) {
      const which = i < warmup ? `warm-up iteration ${i + 1}` : `iteration ${i - warmup + 1} of ${repeats}`;
      throw new IterationError(`${label}, ${which}`, err);
    }
    if (i < warmup) continue;
    samples.push(sample.ms);
    for (const [name, v] of Object.entries(sample.extra ?? {})) (extras[name] ??= []).push(v);
  }
  return { samples, extras };
}

/** Wraps whatever failed inside an iteration with where it happened. */
export class IterationError extends Error {
  override readonly name = "IterationError";
  constructor(
    readonly where: string,
    override readonly cause: unknown,
  ) {
    super(`${where}: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`);
  }
}
