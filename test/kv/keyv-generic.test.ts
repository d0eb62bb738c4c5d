import Keyv from "keyv";
import { describe, expect, it, vi } from "vitest";
import { FormatError, NotSupportedError } from "../../src/errors.ts";
import { KeyvStore } from "../../src/kv/keyv-store.ts";
import { kvStoreConformance, collect } from "./conformance.ts";

// A Keyv on its default in-memory Map: an adapter with no native CAS.
const shared = new Keyv({ namespace: "generic" });
kvStoreConformance("KeyvStore on Keyv's Map store (emulated CAS)", () => KeyvStore.open(shared));

describe("KeyvStore on an adapter without native CAS", () => {
  it("says so: atomicCas false, shared false, and one process-wide warning", async () => {
    // The warning fires once per process; the conformance block may already have used it,
    // so check it through a fresh module instance.
    vi.resetModules();
    const { KeyvStore: Fresh } = await import("../../src/kv/keyv-store.ts");
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      const a = await Fresh.open(new Keyv());
      const b = await Fresh.open(new Keyv());
      expect(a.atomicCas).toBe(false);
      expect(a.shared).toBe(false);
      expect(a.adapterKind).toBe("generic");
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/only one process may write/);
      await a.close();
      await b.close();
    } finally {
      warn.mockRestore();
    }
  });

  it("respects the Keyv namespace and keyPrefix setting", async () => {
    const map = new Map<string, unknown>();
    const a = await KeyvStore.open(new Keyv({ store: map, namespace: "a" }));
    const b = await KeyvStore.open(new Keyv({ store: map, namespace: "b" }));
    const raw = await KeyvStore.open(new Keyv({ store: map, namespace: "c", useKeyPrefix: false }));
    await a.set("k", new Uint8Array([1]));
    await b.set("k", new Uint8Array([2]));
    await raw.set("plain", new Uint8Array([3]));
    expect([...map.keys()].sort()).toEqual(["a:k", "b:k", "plain"]);
    expect(await a.get("k")).toEqual(new Uint8Array([1]));
    expect(await collect(b.keys())).toEqual(["k"]);
    await a.clear();
    expect(await b.get("k")).toEqual(new Uint8Array([2]));
  });

  it("reads what a plain Keyv wrote for a Buffer, and refuses other values with FormatError", async () => {
    const keyv = new Keyv({ namespace: "interop" });
    const s = await KeyvStore.open(keyv);
    await keyv.set("buf", Buffer.from([0, 255, 10]));
    expect(await s.get("buf")).toEqual(new Uint8Array([0, 255, 10]));
    await keyv.set("text", "hello");
    await expect(s.get("text")).rejects.toThrow(FormatError);
    await s.set("mine", new Uint8Array([5, 6]));
    expect(Buffer.compare((await keyv.get("mine")) as Buffer, Buffer.from([5, 6]))).toBe(0);
  });

  it("an adapter that cannot list keys: keys() rejects with NotSupportedError", async () => {
    const data = new Map<string, unknown>();
    const adapter = {
      get: async (k: string) => data.get(k),
      set: async (k: string, v: unknown) => void data.set(k, v),
      delete: async (k: string) => data.delete(k),
      clear: async () => data.clear(),
    };
    const s = await KeyvStore.open(new Keyv({ store: adapter }));
    await s.set("k", new Uint8Array([1]));
    expect(await s.get("k")).toEqual(new Uint8Array([1]));
    expect(await s.cas("k", new Uint8Array([2]), new Uint8Array([1]))).toBe(true);
    await expect(collect(s.keys())).rejects.toThrow(NotSupportedError);
  });

  it("rejects something that is not a Keyv with a TypeError naming the option", async () => {
    await expect(KeyvStore.open({} as never)).rejects.toThrow(/"keyv"/);
    await expect(KeyvStore.open(new Keyv(), { connectTimeoutMs: -1 })).rejects.toThrow(RangeError);
  });
});
