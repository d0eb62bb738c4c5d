/**
 * X1 scaling (memory backend): W2's ms per commit and W5's diff ms at three sizes, and the
 * ratios largest / smallest (goal: at most 2, i.e. neither grows with N).
 *
 * Unlike W2/W5, X1 builds ONE store per N and reuses it (a bulk load of 1,000,000 keys
 * takes seconds, so a fresh store per iteration would take a full run past minutes):
 * bulk load → commit a, K changes → commit b; then diff(a, b) runs 1 warm-up + 9 recorded
 * iterations with a reopen before each (as in W5), and W2's commit pattern
 * (idx = j·7919 mod N) runs 1 warm-up + 5 recorded loops of C commits on that same store,
 * each loop writing new revisions. Figures are medians.
 */
import { memoryBackend } from "./backends.ts";
import { dict, key, modified } from "./data.ts";
import { X1_SETTINGS, X1_SIZES, type Params, type Scale } from "./params.ts";
import { round, summarize } from "./stats.ts";
import { check, checkEqual, runIterations, timed } from "./timing.ts";
import { checkDiff, diffFixture } from "./workloads.ts";

export interface ScalingPoint {
  n: number;
  w2_ms_per_commit: number;
  w2_ms_per_commit_min: number;
  w2_ms_per_commit_max: number;
  w5_diff_ms: number;
  w5_diff_ms_min: number;
  w5_diff_ms_max: number;
  /** Untimed setup, for the record: bulk load of N keys (stage + commit). */
  setup_ms: number;
}

export interface ScalingResult {
  name: "scaling";
  backend: "memory";
  sizes: number[];
  points: ScalingPoint[];
  /** Largest N over smallest N. */
  ratio_w2: number;
  ratio_w5: number;
  settings: { warmup: number; w2_repeats: number; w2_commits: number; w5_repeats: number; w5_changed: number; note: string };
}

export async function runScaling(scale: Scale, params: Params, log: (msg: string) => void): Promise<ScalingResult> {
  const sizes = X1_SIZES[scale];
  const commits = params.w2_commits;
  const k = params.w5_changed;
  const points: ScalingPoint[] = [];
  for (const n of sizes) {
    const db = await memoryBackend.create();
    try {
      const t0 = performance.now();
      const { s, a, b, changed } = await diffFixture(db, n, k);
      const setupMs = performance.now() - t0;

      const diffRun = await runIterations(`X1 diff at N=${n}`, X1_SETTINGS.warmup, X1_SETTINGS.w5_repeats, async () => {
        await db.reopen();
        const fresh = await db.open("main");
        const { ms, result } = await timed(() => fresh.diff(a, b));
        checkDiff(result, changed);
        return { ms };
      });

      const d = dict(s);
      let rev = 1;
      const commitRun = await runIterations(`X1 commits at N=${n}`, X1_SETTINGS.warmup, X1_SETTINGS.w2_repeats, async () => {
        rev++;
        let last = 0;
        const { ms } = await timed(async () => {
          for (let j = 0; j < commits; j++) {
            const idx = (j * 7919) % n;
            d[key(idx)] = modified(idx, rev * 1000 + j);
            const r = await s.commit();
            check(r.merged && r.strategy === "fast_forward", () => `commit ${j}: ${JSON.stringify(r)}`);
            last = idx;
          }
        });
        checkEqual(s.get(key(last)), modified(last, rev * 1000 + commits - 1), `last change ${key(last)}`);
        return { ms: ms / commits };
      });

      const c = summarize(commitRun.samples);
      const w = summarize(diffRun.samples);
      const point: ScalingPoint = {
        n,
        w2_ms_per_commit: round(c.median),
        w2_ms_per_commit_min: round(c.min),
        w2_ms_per_commit_max: round(c.max),
        w5_diff_ms: round(w.median),
        w5_diff_ms_min: round(w.min),
        w5_diff_ms_max: round(w.max),
        setup_ms: round(setupMs, 1),
      };
      points.push(point);
      log(`  X1 N=${n.toLocaleString("en-US")}: ${point.w2_ms_per_commit} ms/commit, diff ${point.w5_diff_ms} ms (setup ${Math.round(setupMs)} ms)`);
    } finally {
      await db.destroy();
    }
  }
  const first = points[0];
  const last = points[points.length - 1];
  return {
    name: "scaling",
    backend: "memory",
    sizes,
    points,
    ratio_w2: round(last.w2_ms_per_commit / first.w2_ms_per_commit, 2),
    ratio_w5: round(last.w5_diff_ms / first.w5_diff_ms, 2),
    settings: {
      warmup: X1_SETTINGS.warmup,
      w2_repeats: X1_SETTINGS.w2_repeats,
      w2_commits: commits,
      w5_repeats: X1_SETTINGS.w5_repeats,
      w5_changed: k,
      note: "one store per N, reused: diff(a, b) with a reopen before each iteration, then W2-style commit loops; medians",
    },
  };
}
