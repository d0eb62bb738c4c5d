/** Command-line options, scales and repeat counts (BENCHMARKS.md "Command" and tables). */

export type Scale = "small" | "full" | "large";
export type BackendName = "memory" | "disk" | "redis";
export const BACKENDS: readonly BackendName[] = ["memory", "disk", "redis"];

export const WORKLOADS = ["W1", "W2", "W3", "W4", "W5", "W6", "W7"] as const;
export type WorkloadId = (typeof WORKLOADS)[number];
export const EXTRAS = ["X1", "X2", "X3"] as const;
export type ExtraId = (typeof EXTRAS)[number];
export type Selectable = WorkloadId | ExtraId;

export interface Params {
  /** N base keys. */
  n: number;
  /** C commits in W2. */
  w2_commits: number;
  /** G reads in W3. */
  w3_gets: number;
  /** S keys per writer in W4. */
  w4_side: number;
  /** B counters changed by both in W4. */
  w4_both: number;
  /** K differing keys in W5. */
  w5_changed: number;
  /** H commits in W7. */
  w7_commits: number;
}

export const SCALES: Record<Scale, Params> = {
  small: { n: 1_000, w2_commits: 20, w3_gets: 1_000, w4_side: 50, w4_both: 5, w5_changed: 10, w7_commits: 100 },
  full: { n: 10_000, w2_commits: 200, w3_gets: 10_000, w4_side: 500, w4_both: 50, w5_changed: 100, w7_commits: 1_000 },
  large: { n: 1_000_000, w2_commits: 200, w3_gets: 10_000, w4_side: 500, w4_both: 50, w5_changed: 100, w7_commits: 1_000 },
};

/** Recorded iterations per workload (after 1 warm-up). */
export const REPEATS: Record<WorkloadId, number> = { W1: 7, W2: 5, W3: 9, W4: 7, W5: 9, W6: 9, W7: 9 };
export const WARMUP = 1;

/** X1 (scaling, memory only): sizes per scale and its reduced iteration counts. */
export const X1_SIZES: Record<Scale, number[]> = {
  small: [1_000, 10_000, 100_000],
  full: [10_000, 100_000, 1_000_000],
  large: [10_000, 100_000, 1_000_000],
};
export const X1_SETTINGS = {
  warmup: 1,
  /** Recorded W2-style loops of C commits per N (W2 records 5 too), on one store per N. */
  w2_repeats: 5,
  /** Recorded diff(a, b) iterations per N, a reopen before each (W5 records 9 too). */
  w5_repeats: 9,
};

/** X2 (redis only): writers, processes and commits per writer. */
export const X2_SETTINGS = { processes: 2, writersPerProcess: 4, commits: { small: 20, full: 200, large: 200 } as Record<Scale, number> };

export interface Options {
  backends: BackendName[];
  scale: Scale;
  out: string | undefined;
  /** Workloads and extras to run, in canonical order. */
  only: Selectable[];
  /** The Redis server for the redis backend and X2. */
  redisUrl: string;
}

export const USAGE = `usage: npm run bench -- [--backend memory|disk|redis|all] [--scale small|full|large] [--out FILE] [--only W1,W3,X1,...]

  --backend  memory (default), disk, redis or all
  --scale    small (every size / 10), full (default), large (N x 100)
  --out      write the kvgit-bench/1 JSON result to FILE
  --only     comma-separated subset of W1..W7, X1 (scaling, memory), X2 (writers, redis), X3 (GC)
             default: W1..W7, plus X1 at full/large scale and X2 with redis
  env KVGIT_BENCH_REDIS_URL (default redis://127.0.0.1:6379)`;

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function parseArgs(argv: readonly string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") throw new UsageError("");
    const m = /^--(backend|scale|out|only)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    const v = m[2] ?? argv[++i];
    if (v === undefined || v === "") throw new UsageError(`--${m[1]} needs a value`);
    values.set(m[1], v);
  }

  const backendArg = values.get("backend") ?? "memory";
  let backends: BackendName[];
  if (backendArg === "all") backends = [...BACKENDS];
  else if ((BACKENDS as readonly string[]).includes(backendArg)) backends = [backendArg as BackendName];
  else throw new UsageError(`--backend must be memory, disk, redis or all, got ${JSON.stringify(backendArg)}`);

  const scaleArg = values.get("scale") ?? "full";
  if (!(scaleArg in SCALES)) throw new UsageError(`--scale must be small, full or large, got ${JSON.stringify(scaleArg)}`);
  const scale = scaleArg as Scale;

  let only: Selectable[];
  const onlyArg = values.get("only");
  if (onlyArg !== undefined) {
    const asked = onlyArg.split(",").map((s) => s.trim().toUpperCase()).filter((s) => s !== "");
    const known: readonly string[] = [...WORKLOADS, ...EXTRAS];
    const bad = asked.filter((s) => !known.includes(s));
    if (bad.length > 0) throw new UsageError(`--only: unknown workload(s) ${bad.join(", ")}; known: ${known.join(", ")}`);
    only = (known as Selectable[]).filter((s) => asked.includes(s));
  } else {
    only = [...WORKLOADS];
    if (scale !== "small" && backends.includes("memory")) only.push("X1");
    if (backends.includes("redis")) only.push("X2");
    if (scale !== "small") only.push("X3");
  }

  return { backends, scale, out: values.get("out"), only, redisUrl: process.env.KVGIT_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379" };
}
