import KeyvRedis, { createClient } from "@keyv/redis";
import Keyv from "keyv";
import { afterAll, describe, expect, it } from "vitest";
import { BackendError, FormatError } from "../../src/errors.ts";
import { KeyvStore } from "../../src/kv/keyv-store.ts";
import { openBackend } from "../../src/kv/open-backend.ts";
import { collect, kvStoreConformance } from "./conformance.ts";
import { runFixture } from "./fixtures/spawn.ts";
import { service, testNamespace } from "./services.ts";

const redis = await service("redis");
const keyvs: Keyv[] = [];
function makeKeyv(label: string): Keyv {
  const k = new Keyv(new KeyvRedis(redis.url), { namespace: testNamespace(label) });
  keyvs.push(k);
  return k;
}
afterAll(async () => {
  for (const k of keyvs) await k.disconnect().catch(() => {});
});

const main = redis.skip ? undefined : makeKeyv("conf");
kvStoreConformance("KeyvStore on @keyv/redis", () => KeyvStore.open(main!), { skip: redis.skip });

describe.skipIf(redis.skip)("KeyvStore on @keyv/redis", () => {
  it("is recognised as Redis: native atomic CAS", async () => {
    const s = await KeyvStore.open(makeKeyv("kind"));
    expect(s.adapterKind).toBe("redis");
    expect(s.atomicCas).toBe(true);
    expect(s.shared).toBe(true);
    expect(s.description).toContain("redis://");
    await s.close();
  });

  it("stores under the Keyv namespace, as base64 text a plain Keyv reads back as a Buffer", async () => {
    const keyv = makeKeyv("layout");
    const ns = keyv.namespace!;
    const s = await KeyvStore.open(keyv);
    const bytes = new Uint8Array(256).map((_, i) => i);
    await s.set("obj/1", bytes);
    // Keyv prefixes "ns:" and the adapter "ns::": the physical key is "ns::ns:obj/1".
    const client = (keyv.store as KeyvRedis<unknown>).client as unknown as { sendCommand(a: string[]): Promise<unknown> };
    const raw = (await client.sendCommand(["GET", `${ns}::${ns}:obj/1`])) as string;
    expect(raw).toBe(`{"value":":base64:${Buffer.from(bytes).toString("base64")}"}`);
    expect(raw.length).toBeLessThan(256 * 1.34 + 30); // not a JSON array of numbers
    const viaKeyv = (await keyv.get("obj/1")) as Buffer;
    expect(Buffer.compare(viaKeyv, Buffer.from(bytes))).toBe(0);
    // Another namespace on the same server sees nothing.
    const other = await KeyvStore.open(makeKeyv("layout-other"));
    expect(await other.get("obj/1")).toBeUndefined();
    expect(await collect(other.keys())).toEqual([]);
    await s.clear();
    await s.close();
    await other.close();
  });

  it("a prefix option isolates stores within one namespace", async () => {
    const keyv = makeKeyv("prefix");
    const a = await KeyvStore.open(keyv, { prefix: "a/" });
    const b = await KeyvStore.open(keyv, { prefix: "b/" });
    await a.set("k", new Uint8Array([1]));
    expect(await b.get("k")).toBeUndefined();
    await b.clear();
    expect(await a.get("k")).toEqual(new Uint8Array([1]));
    await a.clear();
    await a.close();
    await b.close();
  });

  it("CAS matches bytes even when a Keyv wrote them with different text (an expiry field)", async () => {
    const keyv = makeKeyv("canon");
    const s = await KeyvStore.open(keyv);
    await keyv.set("k", Buffer.from([1, 2, 3]), 3_600_000); // {"value":...,"expires":...}
    expect(await s.get("k")).toEqual(new Uint8Array([1, 2, 3]));
    expect(await s.cas("k", new Uint8Array([4]), new Uint8Array([1, 2]))).toBe(false);
    expect(await s.cas("k", new Uint8Array([4]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(await s.get("k")).toEqual(new Uint8Array([4]));
    await s.clear();
    await s.close();
  });

  it("casDelete matches bytes even when a Keyv wrote them with different text (an expiry field)", async () => {
    const keyv = makeKeyv("canon-del");
    const s = await KeyvStore.open(keyv);
    await keyv.set("k", Buffer.from([1, 2, 3]), 3_600_000); // {"value":...,"expires":...}
    expect(await s.casDelete("k", new Uint8Array([1, 2]))).toBe(false);
    expect(await s.has("k")).toBe(true);
    expect(await s.casDelete("k", new Uint8Array([1, 2, 3]))).toBe(true);
    expect(await s.has("k")).toBe(false);
    await s.clear();
    await s.close();
  });

  it("a value that is not kvgit bytes: FormatError naming the key", async () => {
    const keyv = makeKeyv("foreign");
    const s = await KeyvStore.open(keyv);
    await keyv.set("theirs", { hello: "world" });
    await expect(s.get("theirs")).rejects.toThrow(FormatError);
    await expect(s.get("theirs")).rejects.toThrow(/theirs/);
    await s.clear();
    await s.close();
  });

  it("CAS is atomic across OS processes: 2 processes x 40 increments give exactly 80", async () => {
    const ns = testNamespace("mp");
    await Promise.all([0, 1].map(() => runFixture("url-cas-worker.ts", [redis.url, ns, "40", "counter"])));
    const s = await openBackend({ url: redis.url, namespace: ns });
    expect(Buffer.from((await s.get("counter"))!).toString()).toBe("80");
    await s.clear();
    await s.close();
  });

  it("a connection killed by the server: the next operation rejects with BackendError; after reconnecting it works", async () => {
    const name = testNamespace("kill");
    let ready = 0;
    const client = createClient({ url: redis.url, name, disableOfflineQueue: true, socket: { reconnectStrategy: () => 50 } });
    client.on("error", () => {});
    client.on("ready", () => ready++);
    const keyv = new Keyv(new KeyvRedis(client as never), { namespace: name });
    keyvs.push(keyv);
    const s = await KeyvStore.open(keyv);
    await s.set("k", new Uint8Array([7]));
    const admin = createClient({ url: redis.url });
    await admin.connect();
    try {
      const id = String(await client.sendCommand(["CLIENT", "ID"]));
      const readyBefore = ready;
      expect(Number(await admin.sendCommand(["CLIENT", "KILL", "ID", id]))).toBe(1);
      const err = await s.get("k").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendError);
      expect((err as Error).message).toContain("redis://");
      await new Promise<void>((res) => {
        const poll = (): void => void (ready > readyBefore ? res() : setTimeout(poll, 10));
        poll();
      });
      expect(await s.get("k")).toEqual(new Uint8Array([7]));
      await s.clear();
    } finally {
      await admin.close();
    }
    await s.close();
  });

  it("openBackend(redis://...) opens a store in the namespace it is given", async () => {
    const ns = testNamespace("url");
    const s = await openBackend({ url: redis.url, namespace: ns });
    expect(s.atomicCas).toBe(true);
    await s.set("x", new Uint8Array([1]));
    const keyv = makeKeyv("unused");
    const client = (keyv.store as KeyvRedis<unknown>).client as unknown as { sendCommand(a: string[]): Promise<unknown>; connect(): Promise<unknown> };
    await client.connect();
    expect(await client.sendCommand(["EXISTS", `${ns}::x`])).toBe(1);
    await s.clear();
    await s.close();
    await s.close();
  });
});
