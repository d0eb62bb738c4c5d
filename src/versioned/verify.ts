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
 * when every commit, index node and value is present and its bytes hash to its id.
 */
export async function verifyStore(versioned: Versioned, opts: { onProgress?: (objectsChecked: number) => void } = {}): Promise<VerifyReport> {
  const report: VerifyReport = { ok: true, commits: 0, nodes: 0, values: 0, problems: [] };
  let checked = 0;
  await walkReachable(versioned, {
    readValues: true,
    onObject: (key) => {
      if (key.startsWith("c/")) report.commits++;
      else if (key.startsWith("n/")) report.nodes++;
      else report.values++;
      if (++checked % 5_000 === 0) opts.onProgress?.(checked);
    },
    onDamage: (key, problem, detail) => report.problems.push(`${key}: ${problem}${detail ? ` (${detail})` : ""}`),
  });
  report.ok = report.problems.length === 0;
  return report;
}
