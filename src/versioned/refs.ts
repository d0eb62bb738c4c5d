import type { KVStore } from "../kv/kv-store.ts";
import { backendCall } from "../objects/object-store.ts";

/** Branch heads live at h/<branch> as the commit id in ASCII hex; they move only by CAS. */
export function headKey(branch: string): string {
  return `h/${branch}`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Throws TypeError / RangeError naming the branch when it cannot be a branch name. */
export function checkBranchName(name: unknown, what = "branch"): asserts name is string {
  if (typeof name !== "string") throw new TypeError(`${what} name must be a string, got ${typeof name}`);
  if (name.length === 0) throw new RangeError(`${what} name must not be empty`);
  // Characters that would make refs ambiguous (~ ^ are ref operators) or keys awkward.
  if (/[\s~^:?*[\\\x00-\x1f\x7f]/.test(name) || name.includes("..") || name.startsWith("-") || name.startsWith("/") || name.endsWith("/")) {
    throw new RangeError(
      `${what} name ${JSON.stringify(name)} is not allowed: use letters, digits and - _ . / (no spaces, "..", ~ ^ : ? * [ \\, nor a leading - or /)`,
    );
  }
}

/**
 * The head of a deleted branch until `BranchHeads.delete` removes the key (and for good on
 * a backend without `casDelete`, or if the deleter crashed in between); reads treat it as
 * absent.
 */
const TOMBSTONE = new Uint8Array(0);

export class BranchHeads {
  constructor(private readonly kv: KVStore) {}

  async read(branch: string): Promise<string | undefined> {
    const bytes = await backendCall(this.kv, "get", () => this.kv.get(headKey(branch)));
    return bytes && bytes.length > 0 ? decoder.decode(bytes) : undefined;
  }

  /**
   * Moves `branch` from `expected` to `next`. `expected` undefined: the branch must not
   * exist — absent, or a tombstone a deleter left behind (e.g. it crashed mid-delete).
   */
  async cas(branch: string, next: string, expected: string | undefined): Promise<boolean> {
    const key = headKey(branch);
    const value = encoder.encode(next);
    if (expected !== undefined) return backendCall(this.kv, "cas", () => this.kv.cas(key, value, encoder.encode(expected)));
    for (;;) {
      if (await backendCall(this.kv, "cas", () => this.kv.cas(key, value, undefined))) return true;
      if (await backendCall(this.kv, "cas", () => this.kv.cas(key, value, TOMBSTONE))) return true;
      // Both lost: a real head exists — unless a deleter swapped absent and tombstone
      // between our two attempts, in which case the branch still does not exist: retry.
      const now = await backendCall(this.kv, "get", () => this.kv.get(key));
      if (now !== undefined && now.length > 0) return false;
    }
  }

  /**
   * Deletes `branch` if its head is still `expected`: the head is first moved by CAS to an
   * empty tombstone (so a commit racing the delete either lands before it — and the CAS
   * fails — or finds the branch gone), then the tombstone is removed only if it is still
   * there (`casDelete`): a branch re-created in between (a CAS from the tombstone) is never
   * erased. A backend without `casDelete` keeps the tombstone, which reads as absent.
   * False if the head moved.
   */
  async delete(branch: string, expected: string): Promise<boolean> {
    const key = headKey(branch);
    if (!(await backendCall(this.kv, "cas", () => this.kv.cas(key, TOMBSTONE, encoder.encode(expected))))) return false;
    if (typeof this.kv.casDelete === "function") {
      // False means someone re-created the branch (or removed the tombstone): leave it be.
      // The branch is deleted already; a failure here only leaves the tombstone behind.
      try {
        await this.kv.casDelete(key, TOMBSTONE);
      } catch {
        // ignored: the tombstone stays and reads as absent
      }
    }
    return true;
  }

  async list(): Promise<Map<string, string>> {
    const names: string[] = [];
    await backendCall(this.kv, "keys", async () => {
      for await (const k of this.kv.keys("h/")) names.push(k.slice(2));
    });
    const heads = await backendCall(this.kv, "getMany", () => this.kv.getMany(names.map(headKey)));
    const out = new Map<string, string>();
    for (const name of names.sort()) {
      const v = heads.get(headKey(name));
      if (v && v.length > 0) out.set(name, decoder.decode(v));
    }
    return out;
  }
}
