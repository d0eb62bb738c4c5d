import { describe, expect, it } from "vitest";
import { CodecError, FormatError, MemoryStore, store, type Codec } from "kvgit";

const decoder = new TextDecoder();
const formatRecord = async (backend: MemoryStore) => JSON.parse(decoder.decode(await backend.get("kvgit")));

describe("a store records the codec its values are written with", () => {
  it("a new store records its codec; reopening without the option reads with it", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend, codec: "superjson" });
    a.n = 5;
    a.when = new Date(0);
    await a.commit();
    expect((await formatRecord(backend)).codec).toBe("superjson");
    const b = await store({ backend });
    expect(b.n).toBe(5);
    expect(b.when).toEqual(new Date(0));
    expect((await formatRecord(await (async () => { const m = new MemoryStore(); await store({ backend: m }); return m; })())).codec).toBe("msgpack");
  });

  it("opening with another codec is a CodecError naming both, and writes nothing", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend, codec: "superjson" });
    a.n = 5;
    await a.commit();
    const before = new Map<string, string>();
    for await (const k of backend.keys()) before.set(k, Buffer.from((await backend.get(k))!).toString("hex"));
    const err = await store({ backend, codec: "json" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodecError);
    expect((err as CodecError).code).toBe("CODEC");
    expect((err as CodecError).message).toMatch(/"superjson" codec.*given codec "json".*codec: "superjson"/);
    expect((err as CodecError).data).toMatchObject({ codec: "json", recorded: "superjson" });
    const after = new Map<string, string>();
    for await (const k of backend.keys()) after.set(k, Buffer.from((await backend.get(k))!).toString("hex"));
    expect(after).toEqual(before);
    expect((await store({ backend, codec: "superjson" })).n).toBe(5);
  });

  it("a store written with a custom codec needs that codec passed", async () => {
    const upper: Codec = {
      name: "test:upper",
      encode: (v) => new TextEncoder().encode(String(v).toUpperCase()),
      decode: (b) => new TextDecoder().decode(b),
    };
    const backend = new MemoryStore();
    const a = await store({ backend, codec: upper });
    a.k = "abc";
    await a.commit();
    const err = await store({ backend }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodecError);
    expect((err as Error).message).toContain('custom codec "test:upper"');
    expect((await store({ backend, codec: upper })).k).toBe("ABC");
  });

  it("a store recorded before codecs were gains the codec at its first writable open, not at a read-only one", async () => {
    const backend = new MemoryStore();
    const a = await store({ backend, codec: "superjson" });
    a.n = 7;
    await a.commit();
    await backend.set("kvgit", new TextEncoder().encode(JSON.stringify({ format: "kvgit", version: 2 })));
    const reader = await store({ backend, codec: "superjson", create: false });
    expect(reader.n).toBe(7);
    expect((await formatRecord(backend)).codec).toBeUndefined();
    await store({ backend }); // no codec option: nothing is guessed and stamped
    expect((await formatRecord(backend)).codec).toBeUndefined();
    await store({ backend, codec: "superjson" });
    expect((await formatRecord(backend)).codec).toBe("superjson");
    await expect(store({ backend, codec: "msgpack" })).rejects.toBeInstanceOf(CodecError);
  });

  it("a codec field that is not a non-empty string is a FormatError", async () => {
    const backend = new MemoryStore();
    await backend.set("kvgit", new TextEncoder().encode(JSON.stringify({ format: "kvgit", version: 2, codec: 5 })));
    await expect(store({ backend })).rejects.toBeInstanceOf(FormatError);
  });
});
