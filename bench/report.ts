/** The printed table and the `kvgit-bench/1` result file. */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { GcResult } from "./gc.ts";
import type { ImplInfo, MachineInfo } from "./env.ts";
import type { BackendName, Params, Scale, WorkloadId } from "./params.ts";
import type { ScalingResult } from "./scaling.ts";
import type { WorkloadResult } from "./workloads.ts";
import type { WritersResult } from "./x2.ts";

export interface BackendRun {
  backend: BackendName;
  /** Why this backend did not run (unavailable). */
  skipped?: string;
  workloads: Partial<Record<WorkloadId, WorkloadResult>>;
  /** X1 (memory) and X2 (redis), and why either was skipped. */
  extras?: { X1?: ScalingResult; X2?: WritersResult; X3?: GcResult; skipped?: Record<string, string> };
}

export interface BenchResult {
  schema: "kvgit-bench/1";
  date: string;
  command: string;
  impl: ImplInfo;
  machine: MachineInfo;
  scale: Scale;
  params: Params;
  repeats: Partial<Record<WorkloadId, number>>;
  warmup: number;
  encoded_value_bytes_avg: number;
  counter_merge: string;
  runs: BackendRun[];
}

/** The Python peer's medians (BENCHMARKS.md), comparable at full scale only. */
const PEER: Record<WorkloadId, { memory: number; disk: number }> = {
  W1: { memory: 375.7, disk: 665.5 },
  W2: { memory: 5.03, disk: 7.23 },
  W3: { memory: 579_222, disk: 157_182 },
  W4: { memory: 306.3, disk: 498.3 },
  W5: { memory: 86.1, disk: 135.8 },
  W6: { memory: 64.2, disk: 169.3 },
  W7: { memory: 1.67, disk: 8.24 },
};
const PEER_W2_BYTES_PER_COMMIT = 4_116;

export async function writeResult(file: string, result: BenchResult): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(result, null, 2) + "\n");
}

// ---- formatting ------------------------------------------------------------------------

const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** Milliseconds with precision that suits their size. */
export function fmtMs(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x >= 1000) return int.format(x);
  if (x >= 100) return x.toFixed(1);
  if (x >= 10) return x.toFixed(2);
  return x.toFixed(3);
}

export function fmtValue(unit: string, x: number): string {
  return unit === "ops/s" ? int.format(x) : fmtMs(x);
}

function fmtBytes(x: number): string {
  return int.format(x);
}

/** The extras worth reading in the table, per workload. */
function extrasText(id: WorkloadId, r: WorkloadResult): string {
  const e = r.extra as Record<string, number>;
  switch (id) {
    case "W1":
      return `stage ${fmtMs(e.stage_ms)} ms, commit ${fmtMs(e.commit_ms)} ms; backend ${int.format(e.entries)} entries, ${fmtBytes(e.key_bytes)} key B, ${fmtBytes(e.value_bytes)} value B`;
    case "W2":
      return `growth/commit: ${fmtBytes(e.value_bytes_per_commit)} value B (peer ${fmtBytes(PEER_W2_BYTES_PER_COMMIT)}), ${fmtBytes(e.key_bytes_per_commit)} key B, ${e.entries_per_commit} entries`;
    case "W3":
      return `${int.format(e.gets)} gets; median ${fmtMs(r.median_ms)} ms`;
    case "W4":
      return `createBranch ${fmtMs(e.create_branch_ms)} ms, A's fast-forward ${fmtMs(e.a_commit_ms)} ms, merge() ${fmtMs(e.merge_ms)} ms`;
    case "W5":
      return `${e.changed} of N keys differ`;
    case "W6":
      return `open ${fmtMs(e.open_ms)}, keys ${fmtMs(e.keys_ms)}, values ${fmtMs(e.values_ms)} ms; reopen ${fmtMs(e.reopen_ms)} ms`;
    case "W7":
      return `${int.format(e.commits)} commits`;
  }
}

function table(header: string[], rows: string[][], right: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => "| " + cells.map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ") + " |";
  const sep = "|" + widths.map((w, i) => (right[i] ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|") + "|";
  return [line(header), sep, ...rows.map(line)].join("\n");
}

export function formatRun(run: BackendRun, scale: Scale): string {
  const out: string[] = [];
  if (run.skipped) return `backend ${run.backend}: skipped — ${run.skipped}`;
  const peer = scale === "full" && (run.backend === "memory" || run.backend === "disk");
  const ids = Object.keys(run.workloads) as WorkloadId[];
  if (ids.length > 0) {
    const header = ["workload", "unit", "median", "min", "max", ...(peer ? ["peer (py)"] : []), "extras (medians)"];
    const rows = ids.map((id) => {
      const r = run.workloads[id]!;
      // min/max in the headline unit: the fastest iteration gives the most ops/s
      let lo: number, hi: number;
      if (r.unit === "ops/s") {
        lo = (r.extra as Record<string, number>).ops_s_min;
        hi = (r.extra as Record<string, number>).ops_s_max;
      } else if (r.unit === "ms/commit") {
        lo = (r.extra as Record<string, number>).ms_per_commit_min;
        hi = (r.extra as Record<string, number>).ms_per_commit_max;
      } else {
        lo = r.min_ms;
        hi = r.max_ms;
      }
      return [
        `${id} ${r.name}`,
        r.unit,
        fmtValue(r.unit, r.value),
        fmtValue(r.unit, lo),
        fmtValue(r.unit, hi),
        ...(peer ? [fmtValue(r.unit, PEER[id][run.backend as "memory" | "disk"])] : []),
        extrasText(id, r),
      ];
    });
    out.push(table(header, rows, header.map((_, i) => i >= 2 && i < header.length - 1)));
  }
  const x1 = run.extras?.X1;
  if (x1) {
    out.push("");
    out.push(
      `X1 scaling (memory; ${x1.settings.w2_repeats} × ${x1.settings.w2_commits} commits and ${x1.settings.w5_repeats} diffs of ${x1.settings.w5_changed} keys per N, after 1 warm-up; medians)`,
    );
    const rows = x1.points.map((p) => [
      int.format(p.n),
      `${fmtMs(p.w2_ms_per_commit)} (${fmtMs(p.w2_ms_per_commit_min)}–${fmtMs(p.w2_ms_per_commit_max)})`,
      `${fmtMs(p.w5_diff_ms)} (${fmtMs(p.w5_diff_ms_min)}–${fmtMs(p.w5_diff_ms_max)})`,
    ]);
    rows.push([`ratio ${int.format(x1.sizes[x1.sizes.length - 1])} / ${int.format(x1.sizes[0])}`, x1.ratio_w2.toFixed(2), x1.ratio_w5.toFixed(2)]);
    out.push(table(["N", "W2 ms/commit (min–max)", "W5 diff ms (min–max)"], rows, [false, true, true]));
  }
  const x2 = run.extras?.X2;
  if (x2) {
    out.push("");
    out.push(
      `X2 writers (redis): ${x2.processes} processes × ${x2.writers_per_process} writers × ${x2.commits_per_writer} commits = ${int.format(x2.total_commits)} commits in ${fmtMs(x2.wall_ms)} ms: ` +
        `${x2.commits_per_s.toFixed(1)} commits/s; final counter ${x2.final_counter} (expected ${x2.expected_counter}); ` +
        `strategies ${JSON.stringify(x2.strategies)}, ${x2.concurrency_retries} ConcurrencyError retries; ` +
        `commit latency median ${fmtMs(x2.commit_latency_ms.median)} ms, p95 ${fmtMs(x2.commit_latency_ms.p95)} ms, max ${fmtMs(x2.commit_latency_ms.max)} ms`,
    );
  }
  const x3 = run.extras?.X3;
  if (x3) {
    out.push("");
    out.push(
      `X3 gc (${run.backend}; ${int.format(x3.keys)} keys, ${int.format(x3.commits)} commits): mark with nothing to sweep ${fmtMs(x3.mark_only_ms)} ms over ${int.format(x3.marked_objects)} objects; ` +
        `after rebase, cleanOrphans ${fmtMs(x3.sweep_ms)} ms: ${int.format(x3.deleted_objects)} objects, ${int.format(x3.bytes_reclaimed)} B reclaimed; peak heap +${x3.peak_heap_growth_mb} MB; ` +
        `backend ${int.format(x3.backend_value_bytes_after)} B after (before ${int.format(x3.backend_value_bytes_before)} B; fresh store with the same keys ${int.format(x3.fresh_store_value_bytes)} B)`,
    );
  }
  for (const [what, why] of Object.entries(run.extras?.skipped ?? {})) out.push(`${what} skipped: ${why}`);
  return out.join("\n");
}

export function formatHeader(r: Pick<BenchResult, "scale" | "params" | "impl" | "machine" | "encoded_value_bytes_avg" | "counter_merge">): string {
  const p = r.params;
  return [
    `kvgit bench — scale ${r.scale}: N=${int.format(p.n)}, C=${p.w2_commits}, G=${int.format(p.w3_gets)}, S=${p.w4_side}, B=${p.w4_both}, K=${p.w5_changed}, H=${int.format(p.w7_commits)}`,
    `${r.impl.library} ${r.impl.library_version} (${r.impl.library_commit?.slice(0, 12) ?? "no git"}${r.impl.library_dirty ? ", uncommitted changes" : ""}), ${r.impl.runtime}, codec ${r.impl.codec}, counter merge ${r.counter_merge}; ` +
      `${r.machine.nproc} CPUs (${r.machine.cpu_model}), ${r.machine.mem_total_gib} GiB; encoded value ${r.encoded_value_bytes_avg} B avg`,
  ].join("\n");
}
