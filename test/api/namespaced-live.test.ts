import { describe, expect, it } from "vitest";
import { store, MemoryStore, Namespaced, type NamespacedStore, NotSupportedError, KeyError, CodecError, BackendError, type KVStore } from "kvgit";
import { CountingStore } from "../support/counting-store.ts";

describe("Namespaced", () => {
  it("prefixes keys, lists direct children and descendants, nests, and commits through the root", async () => {
    const s = await store();
    const agent = s.namespace("agent");
    agent.mood = "happy";
    agent.set("plan", ["a", "b"]);
    const mem = new Namespaced(agent, "memory") as NamespacedStore;
    expect(agent.child("memory").namespace).toBe("agent/memory");
    expect(mem.namespace).toBe("agent/memory");
    mem.fact1 = "sky is blue";
    expect(s.get("agent/mood")).toBe("happy");
    expect(s.get("agent/memory/fact1")).toBe("sky is blue");
    expect(agent.keys()).toEqual(["mood", "plan"]);
    expect(agent.descendantKeys()).toEqual(["memory/fact1", "mood", "plan"]);
    expect(Object.keys(mem)).toEqual(["fact1"]);
    expect({ ...agent }).toEqual({ mood: "happy", plan: ["a", "b"] });
    expect("mood" in agent).toBe(true);
    delete agent.mood;
    expect(agent.has("mood")).toBe(false);
    expect(() => agent.remove("mood")).toThrow(KeyError);
    const r = await agent.commit({ message: "from a namespace" });
    expect(r.strategy).toBe("fast_forward");
    expect(s.hasChanges).toBe(false);
    expect((await s.log({ limit: 1 }))[0].message).toBe("from a namespace");
  });

  it("applies merge functions registered through a namespace to the prefixed key", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend });
    const b = await store({ backend });
    const na = a.namespace("stats");
    const nb = b.namespace("stats");
    na.hits = 0;
    await a.commit();
    await b.refresh();
    for (const ns of [na, nb]) ns.setMergeFn("hits", (base: any, o: any, t: any) => o + t - base);
    na.hits = 1;
    nb.hits = 2;
    await a.commit();
    await b.commit();
    expect(nb.hits).toBe(3);
  });

  it("rejects empty names and names containing '/' with RangeError, and member keys through the Proxy", async () => {
    const s = await store();
    expect(() => s.namespace("")).toThrow(RangeError);
    expect(() => s.namespace("a/b")).toThrow(RangeError);
    const ns = s.namespace("n");
    expect(() => {
      (ns as any).keys = 1;
    }).toThrow(/use store\.set/);
    expect(s.hasChanges).toBe(false);
  });

  it("lists a namespace without scanning the whole store", async () => {
    const backend = new CountingStore(new MemoryStore());
    const s = await store({ backend });
    for (let i = 0; i < 5000; i++) s.set(`ns${i % 50}/k${i}`, i);
    await s.commit();
    const before = backend.calls;
    expect(s.namespace("ns7").keys()).toHaveLength(100);
    expect(backend.calls).toBe(before);
    const snap = await s.at("main");
    const b2 = backend.calls;
    expect(await snap.keys("ns7/")).toHaveLength(100);
    expect(backend.calls - b2).toBeLessThanOrEqual(6);
  });
});

describe("Namespaced: delegation", () => {
  it("reads the root's state, and Promise-returning calls reject on bad arguments instead of throwing", async () => {
    const s = await store();
    const ns = s.namespace("n");
    expect(ns.hasChanges).toBe(false);
    ns.x = 1;
    expect(ns.hasChanges).toBe(true);
    expect(ns.currentBranch).toBe("main");
    const p = ns.peek("");
    expect(p).toBeInstanceOf(Promise);
    await expect(p).rejects.toBeInstanceOf(TypeError);
    await expect(ns.commit({ keys: [""] })).rejects.toBeInstanceOf(TypeError);
    await ns.commit();
    expect(ns.currentCommit).toBe(s.currentCommit);
    expect((await ns.verify()).ok).toBe(true);
  });

  it("a branch merge reports the keys the source brought in as carriedKeys", async () => {
    const s = await store();
    s.base = 0;
    await s.commit();
    const dev = await s.createBranch("dev");
    dev.b = 1;
    await dev.commit();
    s.c = 1;
    await s.commit();
    const r = await s.merge("dev");
    expect(r.strategy).toBe("three_way");
    expect(r.carriedKeys).toEqual(["b"]);
  });
});

describe("Live", () => {
  it("writes immediately and in order, reads like a dict, and flush makes writes durable", async () => {
    const backend = new MemoryStore();
    const live = await store({ backend, type: "live" });
    live.a = 1;
    live.b = { x: [1, 2] };
    live.a = 2;
    delete live.b;
    expect(live.a).toBe(2);
    expect(live.keys()).toEqual(["a"]);
    await live.flush();
    const again = await store({ backend, type: "live" });
    expect({ ...again }).toEqual({ a: 2 });
    const ns = again.namespace("cfg");
    ns.mode = "fast";
    await again.flush();
    expect((await store({ backend, type: "live" })).get("cfg/mode")).toBe("fast");
  });

  it("rejects versioning calls with NotSupportedError and bad values with CodecError", async () => {
    const live = await store({ type: "live" });
    await expect(live.commit()).rejects.toBeInstanceOf(NotSupportedError);
    await expect(live.createBranch("x")).rejects.toBeInstanceOf(NotSupportedError);
    await expect(live.verify()).rejects.toBeInstanceOf(NotSupportedError);
    await expect(live.history()[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(NotSupportedError);
    live.reset();
    expect(() => live.set("f", () => 1)).toThrow(CodecError);
    expect(live.has("f")).toBe(false);
  });

  it("ignores merge configuration, as docs/api.md says (nothing is ever merged)", async () => {
    const live = await store({ type: "live" });
    live.setMergeFn("a", () => 1);
    live.setDefaultMerge(() => 1);
    live.setDefaultMerge(undefined, { prefix: "p/" });
    live.a = 5;
    expect(live.a).toBe(5);
  });

  it("flush rejects with a BackendError when a write failed", async () => {
    const inner = new MemoryStore();
    let fail = false;
    const flaky: KVStore = Object.assign(Object.create(inner), {
      setMany: (entries: Iterable<readonly [string, Uint8Array]>) => (fail ? Promise.reject(new Error("disk full")) : inner.setMany(entries)),
    });
    const live = await store({ backend: flaky, type: "live" });
    fail = true;
    live.a = 1;
    await expect(live.flush()).rejects.toBeInstanceOf(BackendError);
    fail = false;
    live.b = 2;
    await expect(live.flush()).resolves.toBeUndefined();
  });
});
