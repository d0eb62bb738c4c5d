import { describe, expect, it } from "vitest";
import { store } from "kvgit";

describe("values read from the committed state", () => {
  it("JSON-like values are deep-frozen snapshots: mutation throws, assignment works", async () => {
    const s = await store();
    s.user = { name: "alice", tags: ["a"] };
    await s.commit();
    const u = s.user as { name: string; tags: string[] };
    expect(Object.isFrozen(u)).toBe(true);
    expect(() => {
      u.name = "bob";
    }).toThrow(TypeError);
    expect(() => u.tags.push("b")).toThrow(TypeError);
    s.user = { ...u, name: "bob" };
    expect((s.user as { name: string }).name).toBe("bob");
    await s.commit();
    expect((s.user as { name: string }).name).toBe("bob");
  });

  it("values that cannot be frozen come back as fresh copies on every read", async () => {
    const s = await store();
    s.m = new Map([["a", 1]]);
    s.when = new Date(0);
    await s.commit();
    const m1 = s.m as Map<string, number>;
    m1.set("b", 2);
    expect((s.m as Map<string, number>).has("b")).toBe(false);
    expect(s.when).not.toBe(s.when);
  });

  it("staged values are returned as the object that was set", async () => {
    const s = await store();
    const obj = { n: 1 };
    s.obj = obj;
    expect(s.obj).toBe(obj);
  });
});
