import Keyv from "keyv";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackendError } from "../../src/errors.ts";
import { DiskStore } from "../../src/kv/disk-store.ts";
import { KeyvStore } from "../../src/kv/keyv-store.ts";
import { MemoryStore } from "../../src/kv/memory-store.ts";
import { openBackend } from "../../src/kv/open-backend.ts";

const dir = mkdtempSync(join(tmpdir(), "kvgit-open-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("openBackend: kinds", () => {
  it("defaults to memory", async () => {
    expect(await openBackend()).toBeInstanceOf(MemoryStore);
    expect(await openBackend({ kind: "memory" })).toBeInstanceOf(MemoryStore);
  });

  it("returns a given backend as is, overriding kind", async () => {
    const m = new MemoryStore();
    expect(await openBackend({ backend: m, kind: "disk" })).toBe(m);
  });

  it("opens disk stores from kind+path, a plain path and a file:// URL", async () => {
    for (const opts of [{ kind: "disk" as const, path: join(dir, "a") }, { url: join(dir, "b") }, { url: pathToFileURL(join(dir, "c")).href }]) {
      const s = await openBackend(opts);
      expect(s).toBeInstanceOf(DiskStore);
      await s.close();
    }
  });

  it("opens a Keyv instance", async () => {
    const s = await openBackend({ kind: "keyv", keyv: new Keyv() });
    expect(s).toBeInstanceOf(KeyvStore);
    await s.close();
  });

  it("opens sqlite:// URLs", async () => {
    const s = await openBackend({ url: `sqlite://${join(dir, "x.sqlite")}` });
    expect(s).toBeInstanceOf(KeyvStore);
    expect((s as KeyvStore).adapterKind).toBe("sqlite");
    expect(s.atomicCas).toBe(true);
    await s.set("k", new Uint8Array([1]));
    expect(await s.get("k")).toEqual(new Uint8Array([1]));
    await s.close();
  });
});

describe("openBackend: bad options name the option", () => {
  const cases: Array<[string, object, RegExp, ErrorConstructor]> = [
    ["unknown kind", { kind: "mongo" }, /"kind"/, TypeError],
    ["disk without path", { kind: "disk" }, /"path"/, TypeError],
    ["disk with empty path", { kind: "disk", path: "" }, /"path"/, TypeError],
    ["keyv without keyv", { kind: "keyv" }, /"keyv"/, TypeError],
    ["keyv that is not a Keyv", { kind: "keyv", keyv: { get() {} } }, /"keyv"/, TypeError],
    ["unknown URL scheme", { url: "mysql://127.0.0.1/db" }, /"url".*mysql/, TypeError],
    ["empty URL", { url: "" }, /"url"/, TypeError],
    ["sqlite:// without a file", { url: "sqlite://" }, /"url"/, TypeError],
    ["kind and url disagree", { kind: "memory", url: "redis://127.0.0.1:6379" }, /"kind".*"url"/, TypeError],
    ["backend that is not a KVStore", { backend: { get() {} } }, /"backend"/, TypeError],
    ["non-positive connectTimeoutMs", { url: "redis://127.0.0.1:6379", connectTimeoutMs: 0 }, /"connectTimeoutMs"/, RangeError],
  ];
  for (const [name, opts, message, type] of cases) {
    it(name, async () => {
      const err = await openBackend(opts as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(type);
      expect((err as Error).message).toMatch(message);
    });
  }
});

describe("openBackend: unreachable servers fail with a BackendError naming the address, never hang", () => {
  it("redis on an unused port", async () => {
    const err = await openBackend({ url: "redis://127.0.0.1:1", connectTimeoutMs: 3_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toContain("127.0.0.1:1");
  });

  it("postgres on an unused port", async () => {
    const err = await openBackend({ url: "postgres://postgres@127.0.0.1:1/test", connectTimeoutMs: 3_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toContain("127.0.0.1:1");
  });

  it("sqlite with a file that cannot be opened", async () => {
    const file = join(dir, "no-such-dir", "x.sqlite");
    const err = await openBackend({ url: `sqlite://${file}` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toContain(file);
  });

  it("passwords do not appear in the message", async () => {
    for (const url of ["redis://user:s3cret@127.0.0.1:1", "postgres://user:s3cret@127.0.0.1:1/db"]) {
      const err = await openBackend({ url, connectTimeoutMs: 3_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendError);
      expect((err as Error).message).not.toContain("s3cret");
      expect((err as Error).message).toContain("127.0.0.1:1");
    }
  });

  describe("a server that accepts connections and never answers", () => {
    let server: Server;
    let port = 0;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      server = createServer((s) => void sockets.push(s));
      await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((res) => server.close(res));
    });

    for (const scheme of ["redis", "postgres"]) {
      it(`${scheme}: times out after connectTimeoutMs`, async () => {
        const url = scheme === "redis" ? `redis://127.0.0.1:${port}` : `postgres://postgres@127.0.0.1:${port}/test`;
        const err = await openBackend({ url, connectTimeoutMs: 300 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BackendError);
        expect((err as Error).message).toContain(`127.0.0.1:${port}`);
      });
    }
  });
});
