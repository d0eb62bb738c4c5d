import { backendCall, JOURNAL_PREFIX, readJournal, type ObjectKind } from "../objects/object-store.ts";
import type { Versioned } from "./versioned.ts";
import { walkReachable } from "./reachable.ts";

export interface GcProgress {
  phase: "list" | "mark" | "sweep" | "done";
  /** Objects found in the backend so far. */
  listed: number;
  /** Reachable objects marked so far. */
  marked: number;
  /** Unreachable objects deleted so far. */
  swept: number;
  bytesReclaimed: number;
}

export interface CleanOrphansOptions {
  /** Only objects written longer ago than this are removed (default one hour). */
  minAgeMs?: number;
  onProgress?: (progress: GcProgress) => void;
}

export interface GcResult {
  deleted: number;
  bytesReclaimed: number;
  marked: number;
  listed: number;
}

const BATCH = 1000;
const KINDS: ObjectKind[] = ["c", "n", "v"];

/**
 * Mark and sweep (SPEC §4.6, §5.8). Order matters for writers running concurrently:
 *   1. list every object key;
 *   2. read every branch head and mark everything reachable from them;
 *   3. read the write journal: an object a batch wrote less than `minAgeMs` ago is kept.
 * A commit in flight writes its objects (journal record first, same write) before moving
 * a head, so any object of it that step 1 saw is either reachable from a head read in step
 * 2 or listed in a journal record read in step 3. Shared subtrees are visited once, so
 * marking costs the number of unique reachable objects.
 */
export async function cleanOrphans(versioned: Versioned, opts: CleanOrphansOptions = {}): Promise<GcResult> {
  const minAgeMs = opts.minAgeMs ?? 3_600_000;
  if (typeof minAgeMs !== "number" || !Number.isFinite(minAgeMs) || minAgeMs < 0) {
    throw new RangeError(`minAgeMs must be a non-negative number of milliseconds, got ${String(minAgeMs)}`);
  }
  const kv = versioned.kv;
  const progress: GcProgress = { phase: "list", listed: 0, marked: 0, swept: 0, bytesReclaimed: 0 };
  const report = () => opts.onProgress?.({ ...progress });
  const startedAt = Date.now();

  const listed: string[] = [];
  await backendCall(kv, "keys", async () => {
    for (const kind of KINDS) {
      for await (const key of kv.keys(`${kind}/`)) {
        listed.push(key);
        if (++progress.listed % 10_000 === 0) report();
      }
    }
  });
  report();

  progress.phase = "mark";
  const marked = new Set<string>();
  await walkReachable(versioned, {
    onObject: (key) => {
      marked.add(key);
      if (++progress.marked % 10_000 === 0) report();
    },
  });
  report();

  const journalKeys: string[] = [];
  await backendCall(kv, "keys", async () => {
    for await (const key of kv.keys(JOURNAL_PREFIX)) journalKeys.push(key);
  });
  const protectedKeys = new Set<string>();
  const staleJournals: string[] = [];
  for (let i = 0; i < journalKeys.length; i += BATCH) {
    const chunk = journalKeys.slice(i, i + BATCH);
    const records = await backendCall(kv, "getMany", () => kv.getMany(chunk));
    for (const [key, bytes] of records) {
      const { time, objectKeys } = readJournal(key, bytes);
      if (startedAt - time < minAgeMs) for (const k of objectKeys) protectedKeys.add(k);
      else staleJournals.push(key);
    }
  }

  progress.phase = "sweep";
  const garbage = listed.filter((k) => !marked.has(k) && !protectedKeys.has(k));
  for (let i = 0; i < garbage.length; i += BATCH) {
    const chunk = garbage.slice(i, i + BATCH);
    const sizes = await backendCall(kv, "getMany", () => kv.getMany(chunk));
    await backendCall(kv, "deleteMany", () => kv.deleteMany(chunk));
    for (const bytes of sizes.values()) progress.bytesReclaimed += bytes.length;
    progress.swept += chunk.length;
    report();
  }
  // Journal records older than the guard protect nothing any more.
  for (let i = 0; i < staleJournals.length; i += BATCH) {
    const chunk = staleJournals.slice(i, i + BATCH);
    await backendCall(kv, "deleteMany", () => kv.deleteMany(chunk));
  }
  progress.phase = "done";
  report();
  return { deleted: progress.swept, bytesReclaimed: progress.bytesReclaimed, marked: progress.marked, listed: progress.listed };
}
