import { pathValueId, type NodeSource } from "../index/keyset-index.ts";
import type { Commit } from "./commit-object.ts";
import type { CommitGraph } from "./commit-graph.ts";
import { firstPossibleChange, keyChangeHash, lowestSetBit } from "./change-summary.ts";
import { recordedChange } from "./change-record.ts";

type KeyPath = { path: readonly string[]; valueId: string | undefined };

/**
 * The commits on `from`'s first-parent line that changed `key` (its value id differs from
 * the first parent's; for a root commit: the key is present), newest first.
 *
 * Follows the change summaries (change-summary.ts): at each commit the first summary
 * entry that may hold the key says where the newest change can be — this commit (then its
 * change record says whether the key changed, or without one its value id is compared
 * with its first parent's), or below a stretch known to be clean, which the walk jumps
 * over. The cost is about log2(distance) commit reads per change found, plus, for commits
 * without a record, the index nodes on the key's path in the commits compared.
 */
export async function* keyChanges(commits: CommitGraph, nodes: NodeSource, from: string, key: string): AsyncGenerator<Commit> {
  const hash = keyChangeHash(key);
  let lastPath: KeyPath | undefined;
  const valueAt = async (c: Commit): Promise<KeyPath> => (lastPath = await pathValueId(nodes, c.root, key, lastPath));
  let cur: Commit | undefined = await commits.get(from);
  let curPath: KeyPath | undefined; // the key's path in `cur`, when already read
  while (cur) {
    const entry = firstPossibleChange(cur.changeSummary, hash);
    if (entry !== 0) {
      // Clean down to the ancestor at depth - 2^(entry-1), or (-1) over the whole range.
      const next: string | undefined = entry > 0 ? cur.lineJumps[entry - 1] : cur.depth > lowestSetBit(cur.depth) ? cur.lineJumps.at(-1) : undefined;
      cur = next === undefined ? undefined : await commits.get(next);
      curPath = undefined;
      continue;
    }
    const parentId: string | undefined = cur.parents[0];
    if (cur.changes) {
      if (recordedChange(cur.changes, key)) yield cur;
      cur = await commits.get(parentId);
      curPath = undefined;
      continue;
    }
    const mine = curPath ?? (await valueAt(cur));
    if (parentId === undefined) {
      if (mine.valueId !== undefined) yield cur;
      return;
    }
    const parent = await commits.get(parentId);
    const theirs = await valueAt(parent);
    if (theirs.valueId !== mine.valueId) yield cur;
    cur = parent;
    curPath = theirs;
  }
}
