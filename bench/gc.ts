/**
 * X3 garbage collection (issue: GC): a store with N keys and C single-key commits; then
 *   1. mark-and-sweep with nothing to sweep (everything reachable): the mark cost;
 *   2. rebase keeping every key (the C commits of history become garbage), then
 *      cleanOrphans({ minAgeMs: 0 }): sweep time, objects and bytes reclaimed, and the
 *      heap's peak growth while it ran (sampled on every progress report).
 * Also reports the backend's bytes after GC against a fresh store holding the same keys.
 */
import type { BenchBackend } from "./backends.ts";
import { key, modified, stageBulk } from "./data.ts";
import type { Scale } from "./params.ts";
import { round } from "./stats.ts";

export interface GcResult {
  backend: string;
  keys: number;
  commits: number;
  mark_only_ms: number;
  marked_objects: number;
  sweep_ms: number;
  deleted_objects: number;
  bytes_reclaimed: number;
  peak_heap_growth_mb: number;
  backend_value_bytes_before: number;
  backend_value_bytes_after: number;
  fresh_store_value_bytes: number;
}

const COMMITS: Record<Scale, number> = { small: 100, full: 1_000, large: 1_000 };
const KEYS: Record<Scale, number> = { small: 1_000, full: 10_000, large: 10_000 };

export async function runGc(backend: BenchBackend, scale: Scale, log: (m: string) => void): Promise<GcResult> {
  const n = KEYS[scale];
  const c = COMMITS[scale];
  const db = await backend.create();
  try {
    const s = await db.open("main");
    stageBulk(s, n);
    await s.commit();
    for (let j = 0; j < c; j++) {
      const idx = (j * 7919) % n;
      s.set(key(idx), modified(idx, j + 1));
      await s.commit();
    }
    let marked = 0;
    global.gc?.();
    let t0 = performance.now();
    // The default guard keeps the write journal, so the rebase below finds nothing old to clean.
    const nothing = await s.cleanOrphans({ minAgeMs: 3_600_000, onProgress: (p) => (marked = p.marked) });
    const markOnly = performance.now() - t0;
    if (nothing !== 0) throw new Error(`X3: cleanOrphans deleted ${nothing} objects of a store with no garbage`);

    await s.rebase({ keepKeys: s.keys(), orphanMinAgeMs: 3_600_000 });
    const before = await db.stats();
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    let peak = heap0;
    let reclaimed = 0;
    t0 = performance.now();
    const deleted = await s.cleanOrphans({
      minAgeMs: 0,
      onProgress: (p) => {
        peak = Math.max(peak, process.memoryUsage().heapUsed);
        reclaimed = p.bytesReclaimed;
      },
    });
    const sweep = performance.now() - t0;
    const after = await db.stats();

    const fresh = await backend.create();
    let freshBytes = 0;
    try {
      const f = await fresh.open("main");
      for (const k of s.keys()) f.set(k, s.get(k));
      await f.commit();
      await f.cleanOrphans({ minAgeMs: 0 }); // drop its write journal too, as ours was
      freshBytes = (await fresh.stats()).valueBytes;
    } finally {
      await fresh.destroy();
    }
    const result: GcResult = {
      backend: backend.name,
      keys: n,
      commits: c,
      mark_only_ms: round(markOnly, 2),
      marked_objects: marked,
      sweep_ms: round(sweep, 2),
      deleted_objects: deleted,
      bytes_reclaimed: reclaimed,
      peak_heap_growth_mb: round((peak - heap0) / 2 ** 20, 1),
      backend_value_bytes_before: before.valueBytes,
      backend_value_bytes_after: after.valueBytes,
      fresh_store_value_bytes: freshBytes,
    };
    log(
      `  X3 ${backend.name}: mark (nothing to sweep) ${result.mark_only_ms} ms over ${marked} objects; after rebase: sweep ${result.sweep_ms} ms, ` +
        `${deleted} objects / ${reclaimed} B reclaimed, peak heap +${result.peak_heap_growth_mb} MB; ` +
        `backend ${after.valueBytes} B vs fresh store ${freshBytes} B`,
    );
    return result;
  } finally {
    await db.destroy();
  }
}
