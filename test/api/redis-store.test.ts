import { describe, expect, it } from "vitest";
import { store, FormatError, type KVStore } from "kvgit";
import { openBackend } from "../../src/kv/open-backend.ts";
import { CountingStore } from "../support/counting-store.ts";
import { service, testNamespace } from "../kv/services.ts";

const redis = await service("redis");

describe.skipIf(redis.skip)("a store on Redis", () => {
  it("a cold open costs round trips that grow with the index depth, not with N", async () => {
    const calls: number[] = [];
    for (const n of [500, 20_000]) {
      const namespace = testNamespace(`open-${n}`);
      const writer = await store({ url: redis.url, namespace });
      for (let i = 0; i < n; i++) writer.set(`k${i}`, { i });
      await writer.commit();
      await writer.close();
      const kv = new CountingStore((await openBackend({ url: redis.url, namespace })) as KVStore);
      const s = await store({ backend: kv });
      expect(s.size).toBe(n);
      calls.push(kv.calls);
      await kv.inner.clear();
      await kv.close();
    }
    expect(calls[1]).toBeLessThanOrEqual(calls[0] + 3);
    expect(calls[1]).toBeLessThanOrEqual(14);
  }, 60_000);

  it("refuses a namespace that holds data that is not a kvgit store, overwriting nothing", async () => {
    const namespace = testNamespace("foreign");
    const kv = (await openBackend({ url: redis.url, namespace })) as KVStore;
    await kv.set("someone/else", new TextEncoder().encode("theirs"));
    await expect(store({ url: redis.url, namespace })).rejects.toBeInstanceOf(FormatError);
    expect(new TextDecoder().decode(await kv.get("someone/else"))).toBe("theirs");
    let count = 0;
    for await (const _ of kv.keys()) count++;
    expect(count).toBe(1);
    await kv.clear();
    await kv.close();
  });
});
