import { Packr } from "msgpackr";
import { FormatError } from "../errors.ts";

/** An immutable commit: the keyset root it snapshots and where it came from. */
export interface Commit {
  readonly id: string;
  readonly root: string;
  /** First parent is the branch's previous head; a merge commit has two. */
  readonly parents: readonly string[];
  /** 1 for a root commit, else 1 + the largest parent generation (for merge bases). */
  readonly generation: number;
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly message?: string;
  readonly info?: Record<string, unknown>;
  /** Id of the merge-policy object in force on this commit's branch, if any (SPEC §5.5). */
  readonly policies?: string;
}

export type CommitFields = Omit<Commit, "id">;

/*
 * Format v1: a msgpack map with fixed key order
 *   { r: bin20 root, p: [bin20...] parents, g: generation, t: time, m?: message,
 *     i?: info, y?: bin20 policies }
 * Hashes are stored as 20-byte binaries (half the size of hex). No records or shared
 * structures, so the bytes depend only on the commit.
 */
const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true, variableMapSize: true });

export function encodeCommit(c: CommitFields): Uint8Array {
  const obj: Record<string, unknown> = {
    r: Buffer.from(c.root, "hex"),
    p: c.parents.map((p) => Buffer.from(p, "hex")),
    g: c.generation,
    t: c.time,
  };
  if (c.message !== undefined) obj.m = c.message;
  if (c.info !== undefined) obj.i = c.info;
  if (c.policies !== undefined) obj.y = Buffer.from(c.policies, "hex");
  return packr.pack(obj);
}

export function decodeCommit(id: string, bytes: Uint8Array): Commit {
  let obj: Record<string, unknown>;
  try {
    obj = packr.unpack(bytes) as Record<string, unknown>;
  } catch (err) {
    throw new FormatError(`commit ${id} is corrupt (${(err as Error).message})`, { id });
  }
  const hex = (v: unknown) => {
    if (!(v instanceof Uint8Array) || v.length !== 20) throw new FormatError(`commit ${id} is corrupt (bad hash field)`, { id });
    return Buffer.from(v).toString("hex");
  };
  if (!obj || typeof obj !== "object" || !Array.isArray(obj.p) || typeof obj.g !== "number" || typeof obj.t !== "number") {
    throw new FormatError(`commit ${id} is corrupt (missing fields)`, { id });
  }
  const commit: { -readonly [K in keyof Commit]: Commit[K] } = {
    id,
    root: hex(obj.r),
    parents: obj.p.map(hex),
    generation: obj.g,
    time: obj.t,
  };
  if (typeof obj.m === "string") commit.message = obj.m;
  if (obj.i !== undefined) commit.info = obj.i as Record<string, unknown>;
  if (obj.y !== undefined) commit.policies = hex(obj.y);
  return commit;
}
