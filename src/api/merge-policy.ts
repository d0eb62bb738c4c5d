import type { Versioned } from "../versioned/versioned.ts";
import type { WriteBatch } from "../objects/object-store.ts";
import { FormatError } from "../errors.ts";
import { hasOwnEncoding } from "../merge/registry.ts";

/**
 * Merge policies stored with a branch (SPEC §5.5): content type *names* attached to keys
 * and key prefixes. Kept as a value object the commit points to (`policies`), so new
 * branches copy it and every process that opens the branch merges those keys the same way.
 * Stored as UTF-8 JSON with sorted keys: {"v":1,"keys":{...},"prefixes":{...}}, plus
 * "encoded": [names] (sorted) when some named types have their own encoding, so a process
 * that has not registered such a type knows it cannot read or write those keys.
 */
export interface MergePolicy {
  readonly keys: ReadonlyMap<string, string>;
  readonly prefixes: ReadonlyMap<string, string>;
  /** Names of the types in `keys`/`prefixes` that have their own encoding (key-encoding.ts). */
  readonly encoded?: ReadonlySet<string>;
}

export const EMPTY_POLICY: MergePolicy = { keys: new Map(), prefixes: new Map() };

/** A staged edit: set (name) or clear (null) the policy of a key or prefix. */
export interface PolicyEdit {
  readonly target: string;
  readonly prefix: boolean;
  readonly name: string | null;
}

export function applyPolicyEdits(policy: MergePolicy, edits: Iterable<PolicyEdit>): MergePolicy {
  const keys = new Map(policy.keys);
  const prefixes = new Map(policy.prefixes);
  for (const e of edits) {
    const map = e.prefix ? prefixes : keys;
    if (e.name === null) map.delete(e.target);
    else map.set(e.target, e.name);
  }
  // Listed: every named type this process knows to have its own encoding, and those an
  // earlier writer listed (it may know types this process does not).
  const encoded = new Set<string>();
  for (const name of new Set([...keys.values(), ...prefixes.values()])) {
    if (policy.encoded?.has(name) || hasOwnEncoding(name)) encoded.add(name);
  }
  return encoded.size > 0 ? { keys, prefixes, encoded } : { keys, prefixes };
}

export function encodePolicy(policy: MergePolicy): Uint8Array | undefined {
  if (policy.keys.size === 0 && policy.prefixes.size === 0) return undefined;
  const sorted = (m: ReadonlyMap<string, string>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const encoded = [...(policy.encoded ?? [])].sort();
  return new TextEncoder().encode(JSON.stringify({ v: 1, keys: sorted(policy.keys), prefixes: sorted(policy.prefixes), ...(encoded.length > 0 ? { encoded } : {}) }));
}

export function decodePolicy(id: string, bytes: Uint8Array): MergePolicy {
  try {
    const obj = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    if (obj?.v !== 1 || typeof obj.keys !== "object" || typeof obj.prefixes !== "object") throw new Error("unknown layout");
    const entries = (o: Record<string, unknown>) => new Map(Object.entries(o).map(([k, v]) => [k, String(v)]));
    if (obj.encoded !== undefined && (!Array.isArray(obj.encoded) || !obj.encoded.every((n: unknown) => typeof n === "string"))) throw new Error("bad encoded list");
    const policy = { keys: entries(obj.keys), prefixes: entries(obj.prefixes) };
    return obj.encoded?.length > 0 ? { ...policy, encoded: new Set<string>(obj.encoded) } : policy;
  } catch (err) {
    throw new FormatError(`merge-policy object ${id} is corrupt (${(err as Error).message})`, { id });
  }
}

/** The policy in force at a commit. */
export async function loadPolicy(versioned: Versioned, commitId: string): Promise<MergePolicy> {
  return loadPolicyObject(versioned, (await versioned.getCommit(commitId)).policies);
}

/** The policy object `id` names (a commit's `policies`); none: the empty policy. */
export async function loadPolicyObject(versioned: Versioned, id: string | undefined): Promise<MergePolicy> {
  if (id === undefined) return EMPTY_POLICY;
  const bytes = await versioned.objects.get("v", id);
  if (!bytes) throw new FormatError(`merge-policy object ${id} is missing from the backend`, { id });
  return decodePolicy(id, bytes);
}

/** Writes `policy` into `batch`; its id, or undefined for no policy. */
export function putPolicy(batch: WriteBatch, policy: MergePolicy): string | undefined {
  const bytes = encodePolicy(policy);
  return bytes === undefined ? undefined : batch.put("v", bytes);
}
