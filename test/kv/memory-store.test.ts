import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/kv/memory-store.ts";
import { kvStoreConformance } from "./conformance.ts";

kvStoreConformance("MemoryStore", async () => new MemoryStore());

describe("MemoryStore.getSyncId", () => {
  it("reads prefix + hex of 20 bytes inside another buffer, in id buckets and in others", async () => {
    const kv = new MemoryStore();
    const id = "0123456789abcdef0123456789abcdef01234567";
    await kv.set(`c/${id}`, new Uint8Array([1]));
    await kv.set(`x/${id}`, new Uint8Array([2])); // not an id bucket: a plain Map
    const framed = Buffer.concat([Buffer.from([0xff]), Buffer.from(id, "hex")]);
    expect(kv.getSyncId("c/", framed, 1)).toEqual(new Uint8Array([1]));
    expect(kv.getSyncId("x/", framed, 1)).toEqual(new Uint8Array([2]));
    expect(kv.getSyncId("v/", framed, 1)).toBeUndefined();
    expect(kv.getSyncId("c/", framed, 0)).toBeUndefined();
  });
});
