import type { ObjectStore, WriteBatch } from "../objects/object-store.ts";
import { applyChanges, diffTrees, type KeyChange, type KeyDiff, type NodeSource } from "../index/keyset-index.ts";

/**
 * Decides keys changed on both sides. Works on bytes; the API layer decodes, calls the
 * user's merge function and encodes the result with the store's codec.
 */
export interface MergeResolver {
  /** Whether a merge function decides `key` (it then runs even when both sides agree). */
  has(key: string): boolean;
  /** The merged bytes, or null to remove the key. May throw: the key is then reported. */
  resolve(key: string, base: Uint8Array | undefined, ours: Uint8Array | undefined, theirs: Uint8Array | undefined): Uint8Array | null;
}

export interface RawConflict {
  key: string;
  base: Uint8Array | undefined;
  ours: Uint8Array | undefined;
  theirs: Uint8Array | undefined;
}

export interface ThreeWayOutcome {
  /** Root of the merged tree (undefined when there were conflicts). */
  root: string | undefined;
  conflicts: RawConflict[];
  mergeErrors: Record<string, Error>;
  /** Keys changed on both sides and settled (by a merge function or identical change). */
  autoMergedKeys: string[];
  /** Keys only the other side ("theirs") changed, carried into the result. */
  carriedKeys: string[];
  /** Keys only our side changed, applied onto theirs. */
  appliedKeys: string[];
  /** The exact diff from theirs to the merged tree (empty when there are conflicts). */
  changes: KeyDiff[];
}

export interface MergeTrees {
  base: string;
  ours: string;
  theirs: string;
}

/**
 * Three-way merge of keyset trees (SPEC §4.3): changed only by us -> ours; only by them ->
 * theirs; by both -> the resolver when it has a merge function for the key (even if both
 * sides hold the same bytes), else identical results are taken and different ones
 * conflict. The result is our side's changes applied onto their tree. With
 * `conflictPolicy: "ours"` (used to build virtual merge bases) a conflict keeps our value.
 * `known` holds either side's diff from the base when the caller has it already (a change
 * record, a writer's own changes): exactly what `diffTrees` would give, which is then
 * not run.
 */
export async function threeWayMerge(
  nodes: NodeSource,
  objects: ObjectStore,
  batch: WriteBatch,
  trees: MergeTrees,
  resolver: MergeResolver,
  conflictPolicy: "report" | "ours" = "report",
  known: { ours?: readonly KeyDiff[]; theirs?: readonly KeyDiff[] } = {},
): Promise<ThreeWayOutcome> {
  const [oursDiff, theirsDiff] = await Promise.all([known.ours ?? diffTrees(nodes, trees.base, trees.ours), known.theirs ?? diffTrees(nodes, trees.base, trees.theirs)]);
  const theirsByKey = new Map<string, KeyDiff>();
  for (const d of theirsDiff) theirsByKey.set(d.key, d);

  const changes: KeyChange[] = [];
  const appliedKeys: string[] = [];
  const contested: { key: string; base?: string; ours?: string; theirs?: string; decide: boolean }[] = [];
  const autoMergedKeys: string[] = [];
  for (const d of oursDiff) {
    const t = theirsByKey.get(d.key);
    if (!t) {
      changes.push({ key: d.key, valueId: d.to ?? null });
      appliedKeys.push(d.key);
      continue;
    }
    theirsByKey.delete(d.key);
    if (d.to === undefined && t.to === undefined) continue; // removed by both: removed
    if (resolver.has(d.key)) contested.push({ key: d.key, base: d.from, ours: d.to, theirs: t.to, decide: true });
    else if (d.to === t.to) autoMergedKeys.push(d.key);
    else if (conflictPolicy === "ours") changes.push({ key: d.key, valueId: d.to ?? null });
    else contested.push({ key: d.key, base: d.from, ours: d.to, theirs: t.to, decide: false });
  }
  const carriedKeys = [...theirsByKey.keys()];

  // One batched read for every value the contested keys need (ours may still be in the batch).
  const ids = new Set<string>();
  for (const c of contested) for (const id of [c.base, c.ours, c.theirs]) if (id && !batch.pendingObject("v", id)) ids.add(id);
  const values = await objects.getMany("v", ids);
  const bytesOf = (id: string | undefined) => (id === undefined ? undefined : (batch.pendingObject("v", id) ?? values.get(id)));

  const conflicts: RawConflict[] = [];
  const mergeErrors: Record<string, Error> = {};
  for (const c of contested) {
    const raw: RawConflict = { key: c.key, base: bytesOf(c.base), ours: bytesOf(c.ours), theirs: bytesOf(c.theirs) };
    if (!c.decide) {
      conflicts.push(raw);
      continue;
    }
    let merged: Uint8Array | null;
    try {
      merged = resolver.resolve(c.key, raw.base, raw.ours, raw.theirs);
    } catch (err) {
      // defineProperty, not assignment: a key named "__proto__" must become an own entry.
      Object.defineProperty(mergeErrors, c.key, { value: err instanceof Error ? err : new Error(String(err)), enumerable: true, writable: true, configurable: true });
      conflicts.push(raw);
      continue;
    }
    autoMergedKeys.push(c.key);
    const id = merged === null ? null : batch.put("v", merged);
    if (id !== (c.theirs ?? null)) changes.push({ key: c.key, valueId: id });
  }
  autoMergedKeys.sort();
  if (conflicts.length > 0) return { root: undefined, conflicts, mergeErrors, autoMergedKeys, carriedKeys, appliedKeys, changes: [] };
  changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const applied: KeyDiff[] = [];
  const root = await applyChanges(nodes, batch, trees.theirs, changes, applied);
  return { root, conflicts, mergeErrors, autoMergedKeys, carriedKeys, appliedKeys, changes: applied };
}
