import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { store, MemoryStore, BackendError, FormatError, RefError, type KVStore } from "kvgit";

/** A real MemoryStore behind a switch that makes every call fail, like a server going away. */
function flaky(inner: MemoryStore): { kv: KVStore; down: (v: boolean) => void } {
  let isDown = false;
  const kv = new Proxy(inner, {
    get(t, prop, recv) {
      const v = Reflect.get(t, prop, recv);
      if (typeof v !== "function" || prop === "close") return v;
      if (prop === "getSync") return undefined; // behave like a remote backend
      return (...args: unknown[]) => (isDown ? Promise.reject(new Error("ECONNRESET: connection lost")) : v.apply(t, args));
    },
  }) as unknown as KVStore;
  return { kv, down: (v) => (isDown = v) };
}

describe("backend faults", () => {
  it("a backend failing mid-commit rejects with BackendError, changes nothing, and a retry succeeds", async () => {
    const inner = new MemoryStore();
    const { kv, down } = flaky(inner);
    const s = await store({ backend: kv });
    s.a = 1;
    await s.commit();
    const before = s.currentCommit;
    s.b = 2;
    down(true);
    const err = await s.commit().catch((e) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err.message).toMatch(/connection lost/);
    expect(s.currentCommit).toBe(before);
    expect(s.isStaged("b")).toBe(true);
    down(false);
    const r = await s.commit();
    expect(r.strategy).toBe("fast_forward");
    expect((await store({ backend: kv })).b).toBe(2);
  });

  it("an unreachable server fails store() within the connect timeout, naming the address", async () => {
    const started = Date.now();
    const err = await store({ url: "redis://127.0.0.1:1", connectTimeoutMs: 2000 }).catch((e) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err.message).toContain("127.0.0.1:1");
    const pg = await store({ url: "postgres://postgres@127.0.0.1:1/test", connectTimeoutMs: 2000 }).catch((e) => e);
    expect(pg).toBeInstanceOf(BackendError);
    expect(pg.message).toContain("127.0.0.1:1");
    expect(Date.now() - started).toBeLessThan(30_000); // bounded, never a hang
  });

  it("a disk path that is a file is a clear error; a disk store holding foreign data is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvgit-faults-"));
    try {
      const file = join(dir, "file");
      writeFileSync(file, "not a directory");
      await expect(store({ kind: "disk", path: file })).rejects.toThrow(file);
      await expect(store({ kind: "disk" } as never)).rejects.toThrow(/path/);
      const foreign = new MemoryStore();
      await foreign.set("v/not-ours-but-looks-like-it", new Uint8Array([1]));
      await expect(store({ backend: foreign })).rejects.toBeInstanceOf(FormatError);
      expect(foreign.stats().entries).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("create: false opens only an existing store and branch, writing nothing", async () => {
    const empty = new MemoryStore();
    await expect(store({ backend: empty, create: false })).rejects.toBeInstanceOf(FormatError);
    expect(empty.stats().entries).toBe(0);
    const backend = new MemoryStore();
    await (await store({ backend })).commit({ message: "init" });
    const before = backend.stats().entries;
    await expect(store({ backend, branch: "ghost", create: false })).rejects.toThrow(/ghost/);
    expect(backend.stats().entries).toBe(before);
    expect((await store({ backend, create: false })).currentBranch).toBe("main");
    await expect(store({ backend, create: "no" } as never)).rejects.toThrow(/create/);
  });

  it("rejects bad options with TypeError or RangeError naming the option", async () => {
    await expect(store({ kind: "cloud" } as never)).rejects.toThrow(/kind/);
    await expect(store({ codec: "yaml" } as never)).rejects.toThrow(/codec/);
    await expect(store({ branch: "" })).rejects.toBeInstanceOf(RangeError);
    await expect(store({ bogus: 1 } as never)).rejects.toThrow(/bogus/);
    await expect(store({ type: "other" } as never)).rejects.toThrow(/type/);
  });

  describe("history over a missing or damaged commit", () => {
    /**
     * A store of 300 commits (more than one chunk of the walk). `ids` newest first, so
     * `ids[ids.length - d]` is the commit at depth d; the in-process walk reads the commits
     * at even depths and takes the others' ids from their children.
     */
    async function longHistory(): Promise<{ backend: MemoryStore; depth4: string; ids: string[] }> {
      const backend = new MemoryStore();
      const s = await store({ backend });
      for (let j = 0; j < 300; j++) {
        s.h = j;
        await s.commit();
      }
      const ids: string[] = [];
      for await (const id of s.history()) ids.push(id);
      return { backend, depth4: ids[ids.length - 4], ids };
    }

    const remoteLike = (inner: MemoryStore): KVStore =>
      new Proxy(inner, { get: (t, p, r) => (p === "getSync" || p === "getSyncParts" || p === "getSyncId" ? undefined : Reflect.get(t, p, r)) });

    for (const mode of ["in-process", "remote"] as const) {
      it(`a commit gone from the backend is a RefError naming it, after the ids before it (${mode})`, async () => {
        const { backend, depth4, ids } = await longHistory();
        await backend.delete(`c/${depth4}`);
        const s = await store({ backend: mode === "remote" ? remoteLike(backend) : backend });
        const seen: string[] = [];
        const err = await (async () => {
          for await (const id of s.history()) seen.push(id);
        })().catch((e) => e);
        expect(err).toBeInstanceOf(RefError);
        expect(err.message).toContain(depth4);
        expect(seen).toEqual(ids.slice(0, seen.length));
        expect(seen.length).toBeGreaterThanOrEqual(256);
      });

      it(`a commit whose bytes are not a commit is a FormatError naming it (${mode})`, async () => {
        const { backend, depth4 } = await longHistory();
        await backend.set(`c/${depth4}`, new Uint8Array([1, 2, 3]));
        const s = await store({ backend: mode === "remote" ? remoteLike(backend) : backend });
        const err = await (async () => {
          for await (const _ of s.history()) void _;
        })().catch((e) => e);
        expect(err).toBeInstanceOf(FormatError);
        expect(err.message).toContain(depth4);
      });
    }

    it("a commit the walk lists from its child without reading it is reported by verify() and when read", async () => {
      const { backend, ids } = await longHistory();
      const depth3 = ids[ids.length - 3];
      await backend.delete(`c/${depth3}`);
      const s = await store({ backend });
      const seen: string[] = [];
      for await (const id of s.history()) seen.push(id);
      expect(seen).toEqual(ids);
      await expect(s.commitInfo(depth3)).rejects.toBeInstanceOf(RefError);
      const report = await s.verify();
      expect(report.ok).toBe(false);
      expect(report.problems.join("\n")).toContain(depth3);
    });
  });

  for (const mode of ["in-process", "remote"] as const) {
    it(`a value missing from the backend makes opening fail with a FormatError naming it (${mode})`, async () => {
      const backend = new MemoryStore();
      const s = await store({ backend });
      for (let i = 0; i < 50; i++) s.set(`k${i}`, { i });
      await s.commit();
      const valueKeys: string[] = [];
      for await (const k of backend.keys("v/")) valueKeys.push(k);
      expect(valueKeys).toHaveLength(50);
      await backend.delete(valueKeys[17]);
      const kv: KVStore =
        mode === "remote"
          ? new Proxy(backend, { get: (t, p, r) => (p === "getSync" || p === "getSyncParts" || p === "getSyncId" ? undefined : Reflect.get(t, p, r)) })
          : backend;
      const err = await store({ backend: kv }).catch((e) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect(err.message).toContain(valueKeys[17].slice(2));
    });
  }
});
