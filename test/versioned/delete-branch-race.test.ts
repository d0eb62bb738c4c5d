import { describe, expect, it } from "vitest";
import { MemoryStore, RefError, store } from "../../src/index.ts";
import type { KVStore } from "../../src/kv/kv-store.ts";

/**
 * SPEC §5.6: branch heads move only by CAS. Deleting a branch swaps its head for a
 * tombstone by CAS, then removes the key; these tests hold the second step (whichever call
 * performs it) and let another process act in between.
 */

/** `backend` with a hook run (once) before any call that removes `key`. */
function holdRemoval(backend: MemoryStore, key: string): { hook?: () => Promise<void> } {
  const ctl: { hook?: () => Promise<void> } = {};
  const before = async (keys: readonly string[]) => {
    if (!ctl.hook || !keys.includes(key)) return;
    const h = ctl.hook;
    ctl.hook = undefined;
    await h();
  };
  const { delete: del, deleteMany, casDelete } = backend;
  backend.delete = async (k) => (await before([k]), del.call(backend, k));
  backend.deleteMany = async (ks) => (await before(ks), deleteMany.call(backend, ks));
  backend.casDelete = async (k, expected) => (await before([k]), casDelete.call(backend, k, expected));
  return ctl;
}

describe("deleteBranch racing a re-creation of the same branch", () => {
  it("a branch created and committed to between the tombstone CAS and the removal survives", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    a.x = 1;
    await a.commit();
    await a.createBranch("feature");
    const b = await store({ backend }); // another process
    const ctl = holdRemoval(backend, "h/feature");
    let bHead: string | undefined;
    ctl.hook = async () => {
      const f = await b.createBranch("feature");
      f.important = "work";
      bHead = (await f.commit({ message: "B's work" })).commit;
    };
    await a.deleteBranch("feature", { reclaim: false });
    expect(ctl.hook).toBeUndefined(); // the interleaving happened
    expect(bHead).toBeDefined();
    expect(await a.listBranches()).toEqual(["feature", "main"]);
    expect((await a.commitInfo("feature")).id).toBe(bHead);
    expect(await a.peek("important", { branch: "feature" })).toBe("work");
    const fresh = await store({ backend, branch: "feature" });
    expect(fresh.important).toBe("work");
  });

  it("a create that finds the tombstone, then finds it removed, still creates the branch", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    await s.createBranch("gone");
    await backend.set("h/gone", new Uint8Array(0)); // the deleter's tombstone, not yet removed
    // The creator's CAS from "absent" loses to the tombstone; before its CAS from the
    // tombstone runs, the deleter removes the tombstone.
    const cas = backend.cas;
    let removed = false;
    backend.cas = async (k, v, expected) => {
      if (!removed && k === "h/gone" && expected?.length === 0) {
        removed = true;
        await backend.delete("h/gone");
      }
      return cas.call(backend, k, v, expected);
    };
    const again = await s.createBranch("gone");
    expect(removed).toBe(true);
    expect(again.currentBranch).toBe("gone");
    expect(await s.listBranches()).toEqual(["gone", "main"]);
  });

  it("a delete with nothing in between removes the key", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    await s.createBranch("tmp");
    await s.deleteBranch("tmp", { reclaim: false });
    expect(await backend.has("h/tmp")).toBe(false);
    expect(await s.listBranches()).toEqual(["main"]);
  });

  it("on a backend without casDelete the tombstone stays, reads as absent, and the name can be reused", async () => {
    const mem = new MemoryStore();
    const backend = Object.assign(Object.create(mem) as KVStore, { casDelete: undefined });
    const s = await store({ backend });
    await s.createBranch("tmp");
    await s.deleteBranch("tmp", { reclaim: false });
    expect((await mem.get("h/tmp"))?.length).toBe(0);
    expect(await s.listBranches()).toEqual(["main"]);
    await expect(s.checkout("tmp")).rejects.toBeInstanceOf(RefError);
    await expect(s.deleteBranch("tmp")).rejects.toBeInstanceOf(RefError);
    const again = await s.createBranch("tmp");
    again.k = 1;
    await again.commit();
    expect(await s.listBranches()).toEqual(["main", "tmp"]);
    await expect(s.createBranch("tmp")).rejects.toBeInstanceOf(RefError);
  });
});
