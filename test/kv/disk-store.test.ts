import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DiskStore } from "../../src/kv/disk-store.ts";
import { BackendError, FormatError } from "../../src/errors.ts";
import { kvStoreConformance, collect } from "./conformance.ts";
import { runFixture, spawnFixture } from "./fixtures/spawn.ts";

const base = mkdtempSync(join(tmpdir(), "kvgit-disk-"));
chmodSync(base, 0o755); // the unwritable-directory test runs a child as another user
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(base, `s${n++}`);

const conformanceDir = fresh();
kvStoreConformance("DiskStore (lmdb)", () => DiskStore.open(conformanceDir));

describe("DiskStore", () => {
  it("keeps data across close and reopen", async () => {
    const dir = fresh();
    const a = await DiskStore.open(dir);
    await a.setMany([
      ["x", new Uint8Array([1, 2])],
      ["y", new Uint8Array(0)],
    ]);
    await a.close();
    const b = await DiskStore.open(dir);
    expect(await b.get("x")).toEqual(new Uint8Array([1, 2]));
    expect((await b.get("y"))!.length).toBe(0);
    expect(b.description).toBe(`disk:${dir}`);
    expect(b.atomicCas).toBe(true);
    expect(b.shared).toBe(true);
    await b.close();
  });

  it("two stores on one directory in one process see each other's writes", async () => {
    const dir = fresh();
    const a = await DiskStore.open(dir);
    const b = await DiskStore.open(dir);
    await a.set("k", new Uint8Array([1]));
    expect(await b.get("k")).toEqual(new Uint8Array([1]));
    expect(await b.cas("k", new Uint8Array([2]), new Uint8Array([1]))).toBe(true);
    expect(await a.get("k")).toEqual(new Uint8Array([2]));
    await a.close();
    expect(await b.get("k")).toEqual(new Uint8Array([2])); // closing one leaves the other working
    await b.close();
  });

  it("stores the empty key and keys with control characters", async () => {
    const s = await DiskStore.open(fresh());
    const keys = ["", "\u0000", "\u0001x", "a\u0000b", "a"];
    await s.setMany(keys.map((k, i) => [k, new Uint8Array([i])] as const));
    for (const [i, k] of keys.entries()) expect(await s.get(k)).toEqual(new Uint8Array([i]));
    expect((await collect(s.keys())).sort()).toEqual([...keys].sort());
    expect((await collect(s.keys("a"))).sort()).toEqual(["a", "a\u0000b"]);
    await s.close();
  });

  it("rejects operations after close with a BackendError naming the path", async () => {
    const dir = fresh();
    const s = await DiskStore.open(dir);
    await s.close();
    await expect(s.get("k")).rejects.toThrow(BackendError);
    await expect(s.get("k")).rejects.toThrow(dir);
  });

  it("rejects a key longer than LMDB allows with a RangeError", async () => {
    const s = await DiskStore.open(fresh());
    await expect(s.set("k".repeat(3000), new Uint8Array([1]))).rejects.toThrow(RangeError);
    await s.close();
  });

  describe("bad paths", () => {
    it("a path that is a regular file: TypeError naming the path", async () => {
      const file = join(base, "plain-file");
      writeFileSync(file, "hello");
      const err = await DiskStore.open(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toContain('"path"');
    });

    it("an empty or non-string path: TypeError naming the option", async () => {
      await expect(DiskStore.open("")).rejects.toThrow(/"path"/);
      await expect(DiskStore.open(42 as unknown as string)).rejects.toThrow(TypeError);
    });

    it("a directory under a regular file: BackendError naming the path", async () => {
      const file = join(base, "file-parent");
      writeFileSync(file, "x");
      const dir = join(file, "store");
      const err = await DiskStore.open(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendError);
      expect((err as Error).message).toContain(dir);
    });

    it("an unwritable directory: BackendError naming the path", async () => {
      const dir = fresh();
      mkdirSync(dir);
      chmodSync(dir, 0o555);
      let result: { ok: boolean; name?: string; code?: string; message?: string };
      if (process.getuid?.() === 0) {
        // root writes anywhere: try as an unprivileged user instead
        const out = await runFixture("disk-open-probe.ts", [dir], { uid: 65534, gid: 65534, env: { ...process.env, HOME: base } });
        result = JSON.parse(out.trim()) as typeof result;
      } else {
        const err = (await DiskStore.open(dir).catch((e: unknown) => e)) as (Error & { code?: string }) | DiskStore;
        result = err instanceof Error ? { ok: false, name: err.name, code: err.code, message: err.message } : { ok: true };
      }
      expect(result.ok).toBe(false);
      expect(result.name).toBe("BackendError");
      expect(result.message).toContain(dir);
      expect(result.message).toMatch(/not writable/);
      expect(readdirSync(dir)).toEqual([]);
    });

    it("a directory holding other files: FormatError, nothing written", async () => {
      const dir = fresh();
      mkdirSync(dir);
      writeFileSync(join(dir, "notes.txt"), "mine");
      const err = await DiskStore.open(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect((err as Error).message).toContain(dir);
      expect(readdirSync(dir)).toEqual(["notes.txt"]);
    });

    it("a data.mdb that is not an LMDB file: FormatError, file untouched", async () => {
      const dir = fresh();
      mkdirSync(dir);
      const junk = Buffer.alloc(64 * 1024, 0x5a);
      writeFileSync(join(dir, "data.mdb"), junk);
      const err = await DiskStore.open(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect((err as Error).message).toContain(dir);
      expect(execFileSync("cmp", [join(dir, "data.mdb"), "-"], { input: junk }).length).toBe(0);
    });

    it("an LMDB database that is not a kvgit store: FormatError, data untouched", async () => {
      const dir = fresh();
      const { open } = await import("lmdb");
      const other = open({ path: dir });
      await other.put("their-key", "their value");
      await other.close();
      const err = await DiskStore.open(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FormatError);
      const again = open({ path: dir });
      expect(again.get("their-key")).toBe("their value");
      expect([...again.getKeys()]).toEqual(["their-key"]);
      await again.close();
    });

    it("a store of a newer layout: FormatError", async () => {
      const dir = fresh();
      const s = await DiskStore.open(dir);
      await s.close();
      const { open } = await import("lmdb");
      const root = open({ path: dir, maxDbs: 4 });
      const meta = root.openDB({ name: "kvgit-meta", encoding: "binary", keyEncoding: "binary" });
      meta.putSync(Buffer.from("layout"), Buffer.from(JSON.stringify({ engine: "lmdb", layout: 99 })));
      await root.close();
      await expect(DiskStore.open(dir)).rejects.toThrow(/newer/);
    });

    it.skipIf(process.platform !== "linux" || spawnSync("python3", ["--version"]).status !== 0)(
      "a lock file held exclusively by another process: BackendError naming the path, no hang",
      async () => {
        const dir = fresh();
        await (await DiskStore.open(dir)).close();
        const py = `import fcntl,os,sys,time\nfd=os.open(sys.argv[1],os.O_RDWR)\nfcntl.lockf(fd,fcntl.LOCK_EX)\nprint('locked',flush=True)\ntime.sleep(30)\n`;
        const locker = spawn("python3", ["-c", py, join(dir, "lock.mdb")], { stdio: ["ignore", "pipe", "inherit"] });
        try {
          await new Promise<void>((res) => locker.stdout.once("data", () => res()));
          const err = await DiskStore.open(dir).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(BackendError);
          expect((err as Error).message).toContain(dir);
          expect((err as Error).message).toContain(String(locker.pid));
        } finally {
          locker.kill("SIGKILL");
        }
      },
    );

    it("a missing lmdb driver: an error saying what to npm install", async () => {
      const missing = async (): Promise<unknown> => {
        throw Object.assign(new Error("Cannot find package 'lmdb' imported from /x/disk-store.js"), { code: "ERR_MODULE_NOT_FOUND" });
      };
      const err = await DiskStore.open(fresh(), { loadDriver: missing }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendError);
      expect((err as Error).message).toContain("npm install lmdb");
    });
  });

  it("CAS is atomic across OS processes: 3 processes x 60 increments give exactly 180", async () => {
    const dir = fresh();
    await (await DiskStore.open(dir)).close();
    // A plain directory path as the URL opens the disk backend (the namespace is unused).
    await Promise.all([0, 1, 2].map(() => runFixture("url-cas-worker.ts", [dir, "kvgit", "60", "counter"])));
    const s = await DiskStore.open(dir);
    expect(Buffer.from((await s.get("counter"))!).toString()).toBe("180");
    await s.close();
  });

  it("SIGKILL at random moments never loses or tears a committed write", async () => {
    const dir = fresh();
    let rng = 12345;
    const next = (): number => (rng = (rng * 48271) % 2147483647);
    let lastAcked = 0;
    for (let round = 0; round < 6; round++) {
      const waitFor = lastAcked + 1 + (next() % 25);
      const child = spawnFixture("disk-crash-writer.ts", [dir]);
      let buf = "";
      let stderr = "";
      child.stderr!.on("data", (d) => (stderr += d));
      await new Promise<void>((res, rej) => {
        child.stdout!.on("data", (d: Buffer) => {
          buf += d.toString();
          const lines = buf.split("\n");
          buf = lines.pop()!;
          for (const l of lines) lastAcked = Math.max(lastAcked, Number(l));
          if (lastAcked >= waitFor && child.exitCode === null) child.kill("SIGKILL");
        });
        child.on("exit", (code, signal) => (signal === "SIGKILL" ? res() : rej(new Error(`writer exited ${code}: ${stderr}`))));
      });
      const s = await DiskStore.open(dir);
      const head = Number(Buffer.from((await s.get("head"))!).toString());
      expect(head).toBeGreaterThanOrEqual(lastAcked); // every acknowledged commit survived
      expect(head).toBeLessThanOrEqual(lastAcked + 1); // at most the one in flight landed
      const want: string[] = [];
      for (let i = 1; i <= head; i++) for (let j = 0; j < 20; j++) want.push(`obj/${i}/${j}`);
      const got = await s.getMany(want);
      expect(got.size).toBe(want.length); // the head never points past a complete batch
      const sample = got.get(`obj/${head}/19`)!;
      expect(sample.length).toBe(531);
      expect(sample.every((x) => x === (head & 255))).toBe(true);
      lastAcked = head;
      await s.close();
    }
    expect(existsSync(join(dir, "data.mdb"))).toBe(true);
  });
});

describe("DiskStore.getSync snapshots", () => {
  it("sees this process's own writes at once, and another writer's after an async read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvgit-disk-sync-"));
    try {
      const a = await DiskStore.open(dir);
      const b = await DiskStore.open(dir);
      expect(a.getSync("v/x")).toBeUndefined();
      await a.set("v/x", new Uint8Array([1]));
      expect(a.getSync("v/x")).toEqual(new Uint8Array([1]));
      await b.get("h/main"); // any async read refreshes b's snapshot
      expect(b.getSync("v/x")).toEqual(new Uint8Array([1]));
      await a.setMany([["v/y", new Uint8Array([2])]]);
      expect(a.getSync("v/y")).toEqual(new Uint8Array([2]));
      // A view has exactly the value's length (LMDB's shared buffer is much larger).
      await a.set("v/z", new Uint8Array([7, 8, 9]));
      expect(a.getSyncView("v/z")).toEqual(new Uint8Array([7, 8, 9]));
      expect(a.getSyncView("v/absent")).toBeUndefined();
      await a.close();
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
