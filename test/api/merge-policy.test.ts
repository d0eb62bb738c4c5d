import { describe, expect, it } from "vitest";
import { store, MemoryStore, counter, setUnion, registerContentType, unregisterContentType, MergeConflict, NotSupportedError, type ContentType } from "kvgit";

describe("persistent merge policies (SPEC §5.5)", () => {
  it("a content type set on a key is stored with the branch: a fresh store object merges with it unregistered", async () => {
    const backend = new MemoryStore();
    const setup = await store({ backend });
    setup.visits = 0;
    setup.setContentType("visits", counter());
    expect(setup.hasChanges).toBe(true);
    await setup.commit({ message: "visits is a counter" });
    const a = await store({ backend });
    const b = await store({ backend });
    expect(a.getContentType("visits")?.name).toBe("counter");
    a.visits = 1;
    b.visits = 2;
    await a.commit();
    await b.commit();
    expect(b.visits).toBe(3);
  });

  it("policies on prefixes apply to every key under them and are copied to new branches", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.setContentType("tags/", setUnion(), { prefix: true });
    s.set("tags/a", ["x"]);
    await s.commit();
    const dev = await s.createBranch("dev");
    expect(dev.getContentType("tags/a")?.name).toBe("set-union");
    const other = await store({ backend, branch: "dev" });
    dev.set("tags/a", ["x", "y"]);
    other.set("tags/a", ["x", "z"]);
    await dev.commit();
    await other.commit();
    expect(other.get("tags/a")).toEqual(["x", "y", "z"]);
  });

  it("finds custom content types by name; an unregistered stored name is a clear error at merge time", async () => {
    const concat: ContentType<string> = { name: "test-concat", merge: (_b, o, t) => `${t ?? ""}|${o ?? ""}` };
    registerContentType(concat);
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.setContentType("journal", concat);
    s.journal = "start";
    await s.commit();
    const a = await store({ backend });
    const b = await store({ backend });
    a.journal = "a";
    b.journal = "b";
    await a.commit();
    await b.commit();
    expect(b.journal).toBe("a|b");
    unregisterContentType("test-concat");
    const c = await store({ backend });
    const d = await store({ backend });
    c.journal = "c";
    d.journal = "d";
    await c.commit();
    const before = d.currentCommit;
    const err = await d.commit().catch((e) => e);
    expect(err).toBeInstanceOf(MergeConflict);
    expect(err.mergeErrors.journal).toBeInstanceOf(NotSupportedError);
    expect(err.mergeErrors.journal.message).toMatch(/registerContentType/);
    expect(d.currentCommit).toBe(before);
    registerContentType(concat);
  });

  it("persist: false keeps a content type to one store object; removing a policy is committed too", async () => {
    const backend = new MemoryStore();
    const s = await store({ backend });
    s.setContentType("n", counter(), { persist: false });
    expect(s.hasChanges).toBe(false);
    s.setContentType("m", counter());
    await s.commit();
    expect((await store({ backend })).getContentType("m")?.name).toBe("counter");
    expect((await store({ backend })).getContentType("n")).toBeUndefined();
    s.setContentType("m", undefined);
    await s.commit();
    expect((await store({ backend })).getContentType("m")).toBeUndefined();
  });
});
