import { backendCall, objectKey, type ObjectKind } from "../objects/object-store.ts";
import { hashHex } from "../objects/hash.ts";
import { decodeNode } from "../index/node.ts";
import { decodeCommit, type Commit } from "./commit-object.ts";
import type { Versioned } from "./versioned.ts";

const BATCH = 1000;

export interface ReachableWalk {
  /** Called once per reachable object key (`c/…`, `n/…`, `v/…`), with its bytes when read. */
  onObject(key: string, bytes: Uint8Array | undefined): void;
  /** Called for a reachable object that is missing, or whose bytes do not hash to its id. */
  onDamage?(key: string, problem: "missing" | "hash mismatch" | "corrupt", detail?: string): void;
  /** Called for each reachable commit that decoded. */
  onCommit?(commit: Commit): void;
  /** Also read value objects (to re-hash them); marking needs only their ids. */
  readValues?: boolean;
}

/**
 * Visits every object reachable from any branch head — commits (all parents), their index
 * nodes, values and merge-policy objects — each exactly once, reading one batch per
 * frontier. Shared subtrees are entered once, so the cost is the number of unique
 * reachable objects, not commits x keys. Used by GC (mark) and by verify (re-hash).
 */
export async function walkReachable(versioned: Versioned, walk: ReachableWalk): Promise<void> {
  const kv = versioned.kv;
  const seen = new Set<string>();
  const damage = walk.onDamage ?? (() => {});
  const first = (kind: ObjectKind, id: string): boolean => {
    const key = objectKey(kind, id);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  const fetch = async (kind: ObjectKind, ids: string[], each: (id: string, bytes: Uint8Array) => void) => {
    for (let i = 0; i < ids.length; i += BATCH) {
      const chunk = ids.slice(i, i + BATCH);
      const found = await backendCall(kv, "getMany", () => kv.getMany(chunk.map((id) => objectKey(kind, id))));
      for (const id of chunk) {
        const key = objectKey(kind, id);
        const bytes = found.get(key);
        walk.onObject(key, bytes);
        if (!bytes) damage(key, "missing");
        else if (hashHex(bytes) !== id) damage(key, "hash mismatch");
        else each(id, bytes);
      }
    }
  };

  const heads = await versioned.heads.list();
  let commits = [...new Set(heads.values())].filter((id) => first("c", id));
  let nodes: string[] = [];
  const values: string[] = [];
  const value = (id: string) => {
    if (!first("v", id)) return;
    if (walk.readValues) values.push(id);
    else walk.onObject(objectKey("v", id), undefined);
  };
  while (commits.length > 0) {
    const next: string[] = [];
    await fetch("c", commits, (id, bytes) => {
      try {
        const commit = decodeCommit(id, bytes);
        walk.onCommit?.(commit);
        if (first("n", commit.root)) nodes.push(commit.root);
        if (commit.policies) value(commit.policies);
        for (const p of commit.parents) if (first("c", p)) next.push(p);
      } catch (err) {
        damage(objectKey("c", id), "corrupt", (err as Error).message);
      }
    });
    commits = next;
  }
  while (nodes.length > 0) {
    const next: string[] = [];
    await fetch("n", nodes, (id, bytes) => {
      try {
        const node = decodeNode(bytes, id);
        for (const child of node.ids) {
          if (node.height === 0) value(child);
          else if (first("n", child)) next.push(child);
        }
      } catch (err) {
        damage(objectKey("n", id), "corrupt", (err as Error).message);
      }
    });
    nodes = next;
  }
  if (walk.readValues) await fetch("v", values, () => {});
}
