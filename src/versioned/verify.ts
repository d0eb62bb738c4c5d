import { diffTrees, type KeyDiff } from "../index/keyset-index.ts";
import { walkReachable } from "./reachable.ts";
import type { Versioned } from "./versioned.ts";

export interface VerifyReport {
  ok: boolean;
  commits: number;
  nodes: number;
  values: number;
  /** One line per damaged object: key and what is wrong with it. */
  problems: string[];
}

/**
 * Walks every object reachable from every branch head and re-hashes it: a store passes
 * when every commit, index node and value is present and its bytes hash to its id, and
 * every commit's change record is the diff of its first parent's tree and its own.
 */
export async function verifyStore(versioned: Versioned, opts: { onProgress?: (objectsChecked: number) => void } = {}): Promise<VerifyReport> {
  const report: VerifyReport = { ok: true, commits: 0, nodes: 0, values: 0, problems: [] };
  let checked = 0;
  const recorded: string[] = []; // ids only: commits are read again below, from the cache or the backend
  await walkReachable(versioned, {
    readValues: true,
    onObject: (key) => {
      if (key.startsWith("c/")) report.commits++;
      else if (key.startsWith("n/")) report.nodes++;
      else report.values++;
      if (++checked % 5_000 === 0) opts.onProgress?.(checked);
    },
    onCommit: (commit) => {
      try {
        if (commit.changes) recorded.push(commit.id);
      } catch (err) {
        report.problems.push(`c/${commit.id}: corrupt (${(err as Error).message})`);
      }
    },
    onDamage: (key, problem, detail) => report.problems.push(`${key}: ${problem}${detail ? ` (${detail})` : ""}`),
  });
  if (report.problems.length === 0) {
    // Only over intact objects: a damaged tree is reported above, not as a wrong record.
    for (const id of recorded) {
      const commit = await versioned.getCommit(id);
      const parent = await versioned.getCommit(commit.parents[0]);
      const differing = recordDifferences(commit.changes!, await diffTrees(versioned.nodes, parent.root, commit.root));
      if (differing > 0) report.problems.push(`c/${commit.id}: change record differs from its trees (${differing} keys)`);
    }
  }
  report.ok = report.problems.length === 0;
  return report;
}

/** How many keys `record` and `actual` (both ascending by key) disagree on. */
function recordDifferences(record: readonly KeyDiff[], actual: readonly KeyDiff[]): number {
  const byKey = new Map(actual.map((d) => [d.key, d]));
  let differing = 0;
  for (const r of record) {
    const a = byKey.get(r.key);
    if (!a || a.from !== r.from || a.to !== r.to) differing++;
    byKey.delete(r.key);
  }
  return differing + byKey.size;
}
