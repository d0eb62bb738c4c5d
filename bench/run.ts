/**
 * `npm run bench -- [--backend memory|disk|redis|all] [--scale small|full|large] [--out FILE] [--only W1,...]`
 *
 * Runs the workloads of BENCHMARKS.md (W1–W7, X1 scaling, X2 writers), prints a table per
 * backend and optionally writes the `kvgit-bench/1` JSON. A failed check aborts with exit
 * code 1 and names the workload, the iteration and the check.
 */
import type { BenchBackend } from "./backends.ts";
import { implInfo, machineInfo } from "./env.ts";
import { parseArgs, REPEATS, SCALES, USAGE, UsageError, WARMUP, WORKLOADS, type Options, type WorkloadId } from "./params.ts";
import { fmtValue, formatHeader, formatRun, writeResult, type BackendRun, type BenchResult } from "./report.ts";
import { round } from "./stats.ts";
import { CheckError, gcAvailable, IterationError } from "./timing.ts";

function log(msg: string): void {
  process.stderr.write(msg + "\n");
}

/** The modules that need the library, loaded once it is known to import. */
async function loadHarness() {
  const [backends, workloads, scaling, x2, gc, data, codecs] = await Promise.all([
    import("./backends.ts"),
    import("./workloads.ts"),
    import("./scaling.ts"),
    import("./x2.ts"),
    import("./gc.ts"),
    import("./data.ts"),
    import("../src/codec/resolve-codec.ts"),
  ]);
  return { backends, workloads, scaling, x2, gc, data, codecs };
}
type Harness = Awaited<ReturnType<typeof loadHarness>>;

/** Average encoded size of value(i) over i < N with the default codec. */
function encodedValueBytesAvg(h: Harness, n: number): number {
  const codec = h.codecs.resolveCodec("msgpack");
  let total = 0;
  for (let i = 0; i < n; i++) total += codec.encode(h.data.value(i)).length;
  return round(total / n, 2);
}

/** Names where a failure outside the iteration loop happened (iterations name themselves). */
async function labelled<T>(where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof IterationError ? err : new IterationError(where, err);
  }
}

async function runBackend(h: Harness, backend: BenchBackend, opts: Options): Promise<BackendRun> {
  const run: BackendRun = { backend: backend.name, workloads: {} };
  const reason = await backend.unavailableReason();
  if (reason) return { ...run, skipped: reason };
  const params = SCALES[opts.scale];
  for (const id of opts.only) {
    if (!(WORKLOADS as readonly string[]).includes(id)) continue;
    const wid = id as WorkloadId;
    const name = h.workloads.WORKLOAD_NAMES[wid];
    const t0 = performance.now();
    log(`[${backend.name}] ${wid} ${name} …`);
    const result = await labelled(`${wid} ${name}, setup`, () => h.workloads.WORKLOADS[wid]({ backend, params, repeats: REPEATS[wid], warmup: WARMUP }));
    run.workloads[wid] = result;
    log(`[${backend.name}] ${wid} ${name}: ${fmtValue(result.unit, result.value)} ${result.unit} (median ${fmtValue("ms", result.median_ms)} ms; ${((performance.now() - t0) / 1000).toFixed(1)} s total)`);
  }
  if (opts.only.includes("X1") && backend.name === "memory") {
    log(`[memory] X1 scaling …`);
    (run.extras ??= {}).X1 = await labelled("X1 scaling", () => h.scaling.runScaling(opts.scale, params, log));
  }
  if (opts.only.includes("X2") && backend.name === "redis") {
    log(`[redis] X2 writers …`);
    (run.extras ??= {}).X2 = await labelled("X2 writers", () => h.x2.runWriters(opts.scale, opts.redisUrl, log));
  }
  if (opts.only.includes("X3")) {
    log(`[${backend.name}] X3 gc …`);
    (run.extras ??= {}).X3 = await labelled("X3 gc", () => h.gc.runGc(backend, opts.scale, log));
  }
  return run;
}

async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.message) console.error(`bench: ${err.message}`);
    console.error(USAGE);
    return err.message ? 2 : 0;
  }
  if (!gcAvailable) log("warning: global.gc is not exposed (run through `npm run bench`, which passes --expose-gc); timed regions run without a gc before them");

  let h: Harness;
  try {
    h = await loadHarness();
  } catch (err) {
    console.error(`bench: the kvgit library does not load yet, so nothing can run:\n  ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }

  const params = SCALES[opts.scale];
  const head = {
    impl: implInfo("msgpack"),
    machine: machineInfo(),
    scale: opts.scale,
    params,
    encoded_value_bytes_avg: encodedValueBytesAvg(h, params.n),
    counter_merge: h.data.counterMergeKind,
  };
  console.log(formatHeader(head));

  const runs: BackendRun[] = [];
  const skippedExtras: Record<string, string> = {};
  if (opts.only.includes("X1") && !opts.backends.includes("memory")) skippedExtras.X1 = "X1 runs on the memory backend only (use --backend memory or all)";
  if (opts.only.includes("X2") && !opts.backends.includes("redis")) skippedExtras.X2 = "X2 runs on the redis backend only (use --backend redis or all)";

  for (const name of opts.backends) {
    const backend = h.backends.backendFor(name, opts.redisUrl);
    let run: BackendRun;
    try {
      run = await runBackend(h, backend, opts);
    } catch (err) {
      reportAbort(name, err);
      return 1;
    }
    if (run.skipped && opts.only.includes("X2") && name === "redis") skippedExtras.X2 = `the redis backend is not available: ${run.skipped}`;
    runs.push(run);
    console.log("");
    if (!run.skipped) console.log(`backend ${name}:`);
    console.log(formatRun(run, opts.scale));
  }
  for (const [what, why] of Object.entries(skippedExtras)) console.log(`\n${what} skipped: ${why}`);

  if (opts.out) {
    const repeats: Partial<Record<WorkloadId, number>> = {};
    for (const id of opts.only) if ((WORKLOADS as readonly string[]).includes(id)) repeats[id as WorkloadId] = REPEATS[id as WorkloadId];
    if (Object.keys(skippedExtras).length > 0) {
      const target = runs.find((r) => !r.skipped) ?? runs[0];
      if (target) (target.extras ??= {}).skipped = skippedExtras;
    }
    const result: BenchResult = {
      schema: "kvgit-bench/1",
      date: new Date().toISOString(),
      command: ["npm", "run", "bench", "--", ...process.argv.slice(2)].join(" "),
      impl: head.impl,
      machine: head.machine,
      scale: head.scale,
      params: head.params,
      repeats,
      warmup: WARMUP,
      encoded_value_bytes_avg: head.encoded_value_bytes_avg,
      counter_merge: head.counter_merge,
      runs,
    };
    await writeResult(opts.out, result);
    log(`wrote ${opts.out}`);
  }
  return 0;
}

function reportAbort(backend: string, err: unknown): void {
  const where = err instanceof IterationError ? err.where : "opening the backend";
  const cause = err instanceof IterationError ? err.cause : err;
  const kind = cause instanceof CheckError ? "CHECK FAILED" : "ERROR";
  console.error(`\nBENCHMARK ABORTED — backend ${backend}, ${where}: ${kind}`);
  if (cause instanceof CheckError) console.error(`  ${cause.message}`);
  else console.error(cause instanceof Error ? cause.stack ?? cause.message : String(cause));
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack ?? err.message : String(err));
    process.exit(1);
  },
);
