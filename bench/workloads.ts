/**
 * W1–W7 exactly as BENCHMARKS.md defines them. Each workload builds its data, runs
 * 1 warm-up + R recorded iterations with a check per iteration, and returns one result.
 */
import type { Staged } from "../src/index.ts";
import type { BenchBackend, BenchDb, StorageStats } from "./backends.ts";
import { ctr, dict, key, modified, parkMiller, registerCounter, stageBulk, value } from "./data.ts";
import type { Params, WorkloadId } from "./params.ts";
import { round, summarize } from "./stats.ts";
import { check, checkEqual, runIterations, since, timed, type IterationRun } from "./timing.ts";

export const WORKLOAD_NAMES: Record<WorkloadId, string> = {
  W1: "bulk_load",
  W2: "single_key_commits",
  W3: "random_reads",
  W4: "three_way_merge",
  W5: "diff",
  W6: "open_cold_load",
  W7: "history_walk",
};

export type Unit = "ms" | "ms/commit" | "ops/s";

export interface WorkloadResult {
  name: string;
  unit: Unit;
  /** The headline in `unit`. */
  value: number;
  median_ms: number;
  min_ms: number;
  max_ms: number;
  samples_ms: number[];
  /** Medians over the recorded iterations, plus per-workload figures (storage, counts). */
  extra: Record<string, number | string>;
  repeats: number;
  warmup: number;
}

export interface WorkloadContext {
  backend: BenchBackend;
  params: Params;
  repeats: number;
  warmup: number;
}

type Workload = (ctx: WorkloadContext) => Promise<WorkloadResult>;

export const WORKLOADS: Record<WorkloadId, Workload> = { W1: w1, W2: w2, W3: w3, W4: w4, W5: w5, W6: w6, W7: w7 };

// ---- helpers ---------------------------------------------------------------------------

function label(id: WorkloadId): string {
  return `${id} ${WORKLOAD_NAMES[id]}`;
}

/** Runs `fn` on a fresh database and always removes it afterwards. */
async function withDb<T>(backend: BenchBackend, fn: (db: BenchDb) => Promise<T>): Promise<T> {
  const db = await backend.create();
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

/** A fresh store on `main` holding the bulk load (N keys, one commit); returns that commit. */
async function bulkLoad(db: BenchDb, n: number): Promise<{ s: Staged; commit: string }> {
  const s = await db.open("main");
  stageBulk(s, n);
  const r = await s.commit();
  check(r.merged && r.strategy === "fast_forward", () => `bulk load commit: expected a fast_forward, got ${JSON.stringify(r)}`);
  return { s, commit: r.commit };
}

async function historyIds(s: Staged, ref?: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of s.history(ref)) ids.push(id);
  return ids;
}

function build(id: WorkloadId, unit: Unit, ctx: WorkloadContext, run: IterationRun, value: number, extra: Record<string, number | string> = {}): WorkloadResult {
  const { median, min, max } = summarize(run.samples);
  const medians: Record<string, number> = {};
  for (const [name, xs] of Object.entries(run.extras)) medians[name] = round(summarize(xs).median);
  return {
    name: WORKLOAD_NAMES[id],
    unit,
    value: round(value),
    median_ms: round(median),
    min_ms: round(min),
    max_ms: round(max),
    samples_ms: run.samples.map((x) => round(x)),
    extra: { ...medians, ...extra },
    repeats: ctx.repeats,
    warmup: ctx.warmup,
  };
}

function storageExtra(prefix: string, st: StorageStats): Record<string, number> {
  return { [`${prefix}entries`]: st.entries, [`${prefix}key_bytes`]: st.keyBytes, [`${prefix}value_bytes`]: st.valueBytes };
}

// ---- W1 bulk load ----------------------------------------------------------------------

/** Timed: stage N pairs and commit, on a fresh store per iteration. */
async function w1(ctx: WorkloadContext): Promise<WorkloadResult> {
  const { n } = ctx.params;
  let storage: StorageStats | undefined;
  const run = await runIterations(label("W1"), ctx.warmup, ctx.repeats, (iter) =>
    withDb(ctx.backend, async (db) => {
      const s = await db.open("main");
      let stageMs = 0;
      const { ms, result } = await timed(async () => {
        const t0 = performance.now();
        stageBulk(s, n);
        stageMs = since(t0);
        return s.commit();
      });
      check(result.merged && result.strategy === "fast_forward", () => `commit: expected a fast_forward, got ${JSON.stringify(result)}`);
      const fresh = await db.open("main");
      checkEqual(fresh.size, n, "key count in a fresh store object");
      checkEqual(fresh.get(key(n - 1)), value(n - 1), `${key(n - 1)} in a fresh store object`);
      checkEqual(fresh.get(key(n >> 1)), value(n >> 1), `${key(n >> 1)} in a fresh store object`);
      if (iter === 0) storage = await db.stats();
      return { ms, extra: { stage_ms: stageMs, commit_ms: ms - stageMs } };
    }),
  );
  const med = summarize(run.samples).median;
  return build("W1", "ms", ctx, run, med, storageExtra("", storage!));
}

// ---- W2 single-key commits ---------------------------------------------------------------

/** After a bulk load, timed: C single-key commits. Reports ms per commit and storage growth. */
async function w2(ctx: WorkloadContext): Promise<WorkloadResult> {
  const { n, w2_commits: c } = ctx.params;
  let growth: Record<string, number> = {};
  const run = await runIterations(label("W2"), ctx.warmup, ctx.repeats, (iter) =>
    withDb(ctx.backend, async (db) => {
      const { s } = await bulkLoad(db, n);
      const d = dict(s);
      const before = await db.stats();
      const fastForwards: number[] = [];
      const { ms } = await timed(async () => {
        for (let j = 0; j < c; j++) {
          const idx = (j * 7919) % n;
          d[key(idx)] = modified(idx, j + 1);
          const r = await s.commit();
          if (r.strategy === "fast_forward") fastForwards.push(j);
        }
      });
      checkEqual(fastForwards.length, c, "fast_forward commits");
      const after = await db.stats();
      const ids = await historyIds(s);
      checkEqual(ids.length, c + 2, "commits in history (root + bulk load + C)");
      const last = ((c - 1) * 7919) % n;
      checkEqual(s.get(key(last)), modified(last, c), `last change ${key(last)} in the writing store object`);
      const fresh = await db.open("main");
      checkEqual(fresh.get(key(last)), modified(last, c), `last change ${key(last)} in a fresh store object`);
      checkEqual(fresh.currentCommit, s.currentCommit, "branch head");
      if (iter === 0) {
        growth = {
          value_bytes_per_commit: round((after.valueBytes - before.valueBytes) / c, 1),
          key_bytes_per_commit: round((after.keyBytes - before.keyBytes) / c, 1),
          total_bytes_per_commit: round((after.valueBytes + after.keyBytes - before.valueBytes - before.keyBytes) / c, 1),
          entries_per_commit: round((after.entries - before.entries) / c, 2),
          ...storageExtra("before_", before),
          ...storageExtra("after_", after),
        };
      }
      return { ms };
    }),
  );
  const { median, min, max } = summarize(run.samples);
  return build("W2", "ms/commit", ctx, run, median / c, {
    commits: c,
    ms_per_commit_min: round(min / c),
    ms_per_commit_max: round(max / c),
    ...growth,
  });
}

// ---- W3 random reads -------------------------------------------------------------------

/** Per iteration reopen and open a fresh store object; timed: G Proxy reads `s[k]`. */
async function w3(ctx: WorkloadContext): Promise<WorkloadResult> {
  const { n, w3_gets: g } = ctx.params;
  // The keys to read, drawn once with the PRNG (same sequence every iteration, untimed).
  const next = parkMiller(42);
  const keys: string[] = [];
  let indexSum = 0;
  for (let i = 0; i < g; i++) {
    const idx = next() % n;
    keys.push(key(idx));
    indexSum += idx;
  }
  return withDb(ctx.backend, async (db) => {
    await bulkLoad(db, n);
    const run = await runIterations(label("W3"), ctx.warmup, ctx.repeats, async () => {
      await db.reopen();
      const d = dict(await db.open("main"));
      const { ms, result: idSum } = await timed(() => {
        let sum = 0;
        for (let i = 0; i < keys.length; i++) sum += (d[keys[i]] as { id: number }).id;
        return sum;
      });
      checkEqual(idSum, indexSum, "sum of .id over the reads");
      return { ms };
    });
    const { median, min, max } = summarize(run.samples);
    return build("W3", "ops/s", ctx, run, g / (median / 1000), {
      gets: g,
      ops_s_min: Math.round(g / (max / 1000)),
      ops_s_max: Math.round(g / (min / 1000)),
    });
  });
}

// ---- W4 three-way merge ----------------------------------------------------------------

/** Base on `main`: N keys plus B counters at 0, one commit. */
async function mergeBase(db: BenchDb, p: Params): Promise<{ s: Staged; base: string }> {
  const s = await db.open("main");
  stageBulk(s, p.n);
  const d = dict(s);
  for (let c = 0; c < p.w4_both; c++) d[ctr(c)] = 0;
  const r = await s.commit();
  check(r.merged, "base commit");
  return { s, base: r.commit };
}

/** One writer's side: `modified(j * stride + offset, rev)` for j < S, and `delta` added to every counter. */
function applySide(s: Staged, p: Params, offset: number, rev: number, delta: number): void {
  const d = dict(s);
  const stride = p.n / p.w4_side;
  for (let j = 0; j < p.w4_side; j++) {
    const i = j * stride + offset;
    d[key(i)] = modified(i, rev);
  }
  for (let c = 0; c < p.w4_both; c++) d[ctr(c)] = (d[ctr(c)] as number) + delta;
}

function registerCounters(s: Staged, p: Params): void {
  for (let c = 0; c < p.w4_both; c++) registerCounter(s, ctr(c));
}

/** Both writers' keys and every counter at 3, as seen by `s`. */
function checkMerged(s: Staged, p: Params, where: string): void {
  const stride = p.n / p.w4_side;
  for (let c = 0; c < p.w4_both; c++) checkEqual(s.get(ctr(c)), 3, `${where}: counter ${ctr(c)}`);
  for (let j = 0; j < p.w4_side; j++) {
    const a = j * stride;
    const b = j * stride + stride / 2;
    checkEqual(s.get(key(a)), modified(a, 1), `${where}: writer A's key ${key(a)}`);
    checkEqual(s.get(key(b)), modified(b, 2), `${where}: writer B's key ${key(b)}`);
  }
  checkEqual(s.size, p.n + p.w4_both, `${where}: key count`);
  if (stride > 2) checkEqual(s.get(key(1)), value(1), `${where}: untouched key ${key(1)}`);
}

/**
 * Timed: writer Bw's commit on `feature` after writer A moved it (three-way). Extras:
 * createBranch, A's fast-forward commit, and the same merge done across branches with
 * `merge()`.
 */
async function w4(ctx: WorkloadContext): Promise<WorkloadResult> {
  const p = ctx.params;
  const stride = p.n / p.w4_side;
  check(Number.isInteger(stride) && stride % 2 === 0, `W4 needs N / S to be an even integer, got ${stride}`);
  const run = await runIterations(label("W4"), ctx.warmup, ctx.repeats, async () => {
    const extra: Record<string, number> = {};

    const ms = await withDb(ctx.backend, async (db) => {
      const { s, base } = await mergeBase(db, p);
      let t0 = performance.now();
      const a = await s.createBranch("feature");
      extra.create_branch_ms = since(t0);
      const bw = await db.openIndependent("feature");
      checkEqual(bw.currentCommit, base, "writer B's base commit");
      registerCounters(a, p);
      registerCounters(bw, p);

      applySide(a, p, 0, 1, 1);
      t0 = performance.now();
      const ra = await a.commit();
      extra.a_commit_ms = since(t0);
      checkEqual(ra.strategy, "fast_forward", "writer A's commit strategy");

      applySide(bw, p, stride / 2, 2, 2);
      const { ms, result: rb } = await timed(() => bw.commit());
      check(rb.merged, "writer B's commit merged");
      checkEqual(rb.strategy, "three_way", "writer B's commit strategy");

      checkMerged(await db.open("feature"), p, "fresh store on feature");
      const main = await db.open("main");
      checkEqual(main.currentCommit, base, "main's head after the merge");
      checkEqual(main.get(key(0)), value(0), `main: ${key(0)}`);
      checkEqual(main.get(ctr(0)), 0, `main: ${ctr(0)}`);
      return ms;
    });

    // The same shape across branches: feature gets A's changes, main the other writer's,
    // then main.merge("feature").
    extra.merge_ms = await withDb(ctx.backend, async (db) => {
      const { s: main } = await mergeBase(db, p);
      const feature = await main.createBranch("feature");
      applySide(feature, p, 0, 1, 1);
      checkEqual((await feature.commit()).strategy, "fast_forward", "feature commit strategy");
      applySide(main, p, stride / 2, 2, 2);
      checkEqual((await main.commit()).strategy, "fast_forward", "main commit strategy");
      registerCounters(main, p);
      const { ms, result } = await timed(() => main.merge("feature"));
      check(result.merged, "merge() merged");
      checkEqual(result.strategy, "three_way", "merge() strategy");
      checkMerged(main, p, "main after merge()");
      checkMerged(await db.open("main"), p, "fresh store on main after merge()");
      return ms;
    });

    return { ms, extra };
  });
  return build("W4", "ms", ctx, run, summarize(run.samples).median, { keys_per_writer: p.w4_side, counters: p.w4_both });
}

// ---- W5 diff ---------------------------------------------------------------------------

/** Bulk load → a; K modified keys → b. Per iteration reopen; timed: diff(a, b). */
async function w5(ctx: WorkloadContext): Promise<WorkloadResult> {
  const { n, w5_changed: k } = ctx.params;
  return withDb(ctx.backend, async (db) => {
    const { a, b, changed } = await diffFixture(db, n, k);
    const run = await runIterations(label("W5"), ctx.warmup, ctx.repeats, async () => {
      await db.reopen();
      const s = await db.open("main");
      const { ms, result } = await timed(() => s.diff(a, b));
      checkDiff(result, changed);
      return { ms };
    });
    return build("W5", "ms", ctx, run, summarize(run.samples).median, { changed: k });
  });
}

/** W5's data: commit a (the bulk load) and b (K keys modified). Shared with X1. */
export async function diffFixture(db: BenchDb, n: number, k: number): Promise<{ s: Staged; a: string; b: string; changed: string[] }> {
  const { s, commit: a } = await bulkLoad(db, n);
  const d = dict(s);
  const step = n / k;
  const changed: string[] = [];
  for (let j = 0; j < k; j++) {
    const i = j * step;
    d[key(i)] = modified(i, 1);
    changed.push(key(i));
  }
  const r = await s.commit();
  check(r.merged, "commit b");
  return { s, a, b: r.commit, changed };
}

export function checkDiff(result: { added: string[]; removed: string[]; modified: string[] }, changed: string[]): void {
  checkEqual(result.added, [], "diff: added");
  checkEqual(result.removed, [], "diff: removed");
  checkEqual(result.modified.length, changed.length, "diff: number modified");
  checkEqual(result.modified, changed, "diff: modified keys");
}

// ---- W6 open / cold load ---------------------------------------------------------------

/** After a bulk load, per iteration reopen; timed: open a store object, list keys, read all values. */
async function w6(ctx: WorkloadContext): Promise<WorkloadResult> {
  const { n } = ctx.params;
  return withDb(ctx.backend, async (db) => {
    await bulkLoad(db, n);
    const run = await runIterations(label("W6"), ctx.warmup, ctx.repeats, async () => {
      let t0 = performance.now();
      await db.reopen();
      const reopenMs = since(t0);
      let openMs = 0;
      let keysMs = 0;
      const { ms, result } = await timed(async () => {
        t0 = performance.now();
        const s = await db.open("main");
        openMs = since(t0);
        t0 = performance.now();
        const keys = s.keys();
        keysMs = since(t0);
        const d = dict(s);
        const values = new Array<unknown>(keys.length);
        for (let i = 0; i < keys.length; i++) values[i] = d[keys[i]];
        return { keys, values };
      });
      checkEqual(result.keys.length, n, "number of keys");
      for (let i = 0; i < n; i++) {
        if (result.keys[i] !== key(i)) checkEqual(result.keys[i], key(i), `keys()[${i}]`);
        if ((result.values[i] as { id?: unknown } | undefined)?.id !== i) checkEqual(result.values[i], value(i), `value of ${key(i)}`);
      }
      checkEqual(result.values[n - 1], value(n - 1), `value of ${key(n - 1)}`);
      return { ms, extra: { reopen_ms: reopenMs, open_ms: openMs, keys_ms: keysMs, values_ms: ms - openMs - keysMs } };
    });
    return build("W6", "ms", ctx, run, summarize(run.samples).median);
  });
}

// ---- W7 history walk -------------------------------------------------------------------

/** H commits of `s.h = j`; per iteration reopen; timed: collect history() from the head. */
async function w7(ctx: WorkloadContext): Promise<WorkloadResult> {
  const h = ctx.params.w7_commits;
  return withDb(ctx.backend, async (db) => {
    const s = await db.open("main");
    const d = dict(s);
    for (let j = 0; j < h; j++) {
      d.h = j;
      await s.commit();
    }
    const head = s.currentCommit;
    const run = await runIterations(label("W7"), ctx.warmup, ctx.repeats, async () => {
      await db.reopen();
      const fresh = await db.open("main");
      checkEqual(fresh.currentCommit, head, "branch head after reopen");
      const { ms, result: ids } = await timed(() => historyIds(fresh));
      checkEqual(ids.length, h + 1, "history length (H commits + root)");
      checkEqual(ids[0], head, "first history id");
      checkEqual(new Set(ids).size, h + 1, "distinct history ids");
      return { ms };
    });
    return build("W7", "ms", ctx, run, summarize(run.samples).median, { commits: h });
  });
}
