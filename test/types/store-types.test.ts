/**
 * Type-level tests for the typed store API. `npm test` runs `tsc --noEmit` over test/ before
 * vitest, so every `expectTypeOf` below is checked by the compiler and every
 * `// @ts-expect-error` line must really be a compile error (an unused one fails the build).
 * The runtime assertions make sure the typed calls also behave as typed.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  store,
  counter,
  verifyProof,
  DELETE,
  MemoryStore,
  KvgitError,
  KeyError,
  MergeConflict,
  Namespaced,
  Snapshot,
  type Store,
  type StoreOptions,
  type WorkingCopyMode,
  type LiveStore,
  type NamespacedStore,
  type MergeResult,
  type MergeFn,
  type ContentType,
  type CounterValue,
  type CommitInfo,
  type DiffResult,
  type Proof,
  type Conflict,
  type KVStore,
  type Codec,
  jsonRendering,
} from "kvgit";

interface Game {
  score: number;
  user: { name: string };
}

describe("store<Schema>()", () => {
  it("types the Proxy and get/set from the schema", async () => {
    const s = await store<Game>();
    expectTypeOf(s).toEqualTypeOf<Store<Game>>();

    s.score = 1;
    s.user = { name: "ada" };
    expectTypeOf(s.score).toEqualTypeOf<number>();
    expectTypeOf(s.user.name).toEqualTypeOf<string>();
    expectTypeOf(s.get("score")).toEqualTypeOf<number | undefined>();
    expectTypeOf(s.get("user")).toEqualTypeOf<{ name: string } | undefined>();
    expectTypeOf(s.get("score", 0)).toEqualTypeOf<number>();
    expectTypeOf(s.get("score", null)).toEqualTypeOf<number | null>();
    expectTypeOf(s.set("score", 1)).toEqualTypeOf<Store<Game>>(); // set returns the store, for chaining
    expectTypeOf(s.getMany(["score"])).toEqualTypeOf<Partial<Pick<Game, "score">>>();

    // Compile errors only: wrapped in a function that never runs.
    const wrongTypes = () => {
      // @ts-expect-error a string is not a number
      s.score = "x";
      // @ts-expect-error a string is not a number
      s.set("score", "x");
      // @ts-expect-error the nested shape is checked too
      s.user = { name: 42 };
      // @ts-expect-error keys outside the schema are not accepted by set
      s.set("nope", 1);
      // @ts-expect-error ... nor by get
      s.get("nope");
    };
    void wrongTypes;

    // The API members keep their own types next to the schema's keys.
    expectTypeOf(s.commit).returns.toEqualTypeOf<Promise<MergeResult>>();
    expectTypeOf(s.keys()).toEqualTypeOf<string[]>();
    expectTypeOf(s.size).toEqualTypeOf<number>();
    expectTypeOf(s.has).parameter(0).toEqualTypeOf<string>();

    await s.commit({ message: "typed" });
    expect(s.score).toBe(1);
    expect(s.get("user")).toEqual({ name: "ada" });
    expect(s.get("score", 0)).toBe(1);
    // The types are compile-time only: a bad value cast through `any` is still stored.
    (s as any).score = "x";
    expect(s.score).toBe("x");
    await s.close();
  });

  it("gives unknown values with the default schema", async () => {
    const s = await store();
    expectTypeOf(s).toEqualTypeOf<Store<Record<string, unknown>>>();
    expectTypeOf(s.anything).toEqualTypeOf<unknown>();
    expectTypeOf(s["any key"]).toEqualTypeOf<unknown>();
    expectTypeOf(s.get("k")).toEqualTypeOf<unknown>();
    expectTypeOf(s.values()).toEqualTypeOf<unknown[]>();
    expectTypeOf(s.entries()).toEqualTypeOf<[string, unknown][]>();
    s.k = { any: ["value"] };
    s.set("n", 1).set("m", new Map([[1, 2]]));
    const unnarrowed = () => {
      // @ts-expect-error unknown values must be narrowed before use
      s.k.any;
    };
    void unnarrowed;
    expect(s.keys()).toEqual(["k", "m", "n"]);
    await s.close();
  });

  it("types the workingCopy option", async () => {
    expectTypeOf<StoreOptions["workingCopy"]>().toEqualTypeOf<WorkingCopyMode | undefined>();
    expectTypeOf<WorkingCopyMode>().toEqualTypeOf<"auto" | "load" | "index">();
    const s = await store({ workingCopy: "index" });
    s.x = 1;
    await s.commit();
    expect(s.x).toBe(1);
    const wrong = () =>
      // @ts-expect-error not a working-copy mode
      store({ workingCopy: "lazy" });
    void wrong;
    await s.close();
  });

  it("keeps the schema on branches and checkouts", async () => {
    const s = await store<Game>();
    s.score = 10;
    await s.commit();
    const dev = await s.createBranch("dev");
    expectTypeOf(dev).toEqualTypeOf<Store<Game>>();
    expectTypeOf(dev.score).toEqualTypeOf<number>();
    const wrongType = () => {
      // @ts-expect-error the branch has the same schema
      dev.score = "high";
    };
    void wrongType;
    dev.score = 11;
    await dev.commit();

    const other = await s.checkout("dev");
    expectTypeOf(other).toEqualTypeOf<Store<Game>>();
    expect(other?.score).toBe(11);
    expect(s.score).toBe(10);
    await s.close();
  });

  it("types namespaces, nested namespaces and Live stores", async () => {
    const s = await store<Game>();
    const stats = s.namespace<{ hits: number; tags: string[] }>("stats");
    expectTypeOf(stats).toEqualTypeOf<NamespacedStore<{ hits: number; tags: string[] }>>();
    expectTypeOf(stats.hits).toEqualTypeOf<number>();
    expectTypeOf(stats.get("tags")).toEqualTypeOf<string[] | undefined>();
    expectTypeOf(stats.namespace).toEqualTypeOf<string>();
    const wrongType = () => {
      // @ts-expect-error hits is a number
      stats.hits = "many";
    };
    void wrongType;
    stats.hits = 3;
    stats.set("tags", ["a"]);

    const deep = stats.child<{ on: boolean }>("flags");
    expectTypeOf(deep.on).toEqualTypeOf<boolean>();
    deep.on = true;
    expect(deep.namespace).toBe("stats/flags");

    // An untyped namespace holds unknown values; `new Namespaced` gives the class type (no schema keys).
    expectTypeOf(s.namespace("misc").whatever).toEqualTypeOf<unknown>();
    expectTypeOf(new Namespaced(s, "misc")).toEqualTypeOf<Namespaced<Record<string, unknown>>>();

    expect(s.keys()).toEqual(["stats/flags/on", "stats/hits", "stats/tags"]);
    expect(stats.keys()).toEqual(["hits", "tags"]);
    await s.close();

    const live = await store<Game>({ type: "live" });
    expectTypeOf(live).toEqualTypeOf<LiveStore<Game>>();
    expectTypeOf(live.score).toEqualTypeOf<number>();
    expectTypeOf(live.get("score")).toEqualTypeOf<number | undefined>();
    expectTypeOf(live.flush).returns.toEqualTypeOf<Promise<void>>();
    // versioning methods exist on Live only to reject with NotSupportedError
    expectTypeOf(live.commit).returns.toEqualTypeOf<Promise<never>>();
    const wrongLiveTypes = () => {
      // @ts-expect-error a string is not a number
      live.score = "x";
      // @ts-expect-error a string is not a number
      live.set("score", "x");
    };
    void wrongLiveTypes;
    live.score = 5;
    await live.flush();
    expect(live.score).toBe(5);
    await expect(live.commit()).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    await live.close();

    const versioned = await store({ type: "versioned" });
    expectTypeOf(versioned).toEqualTypeOf<Store<Record<string, unknown>>>();
    await versioned.close();
  });
});

describe("merge functions, content types, history and errors", () => {
  it("types merge functions and content types", async () => {
    const add: MergeFn<number> = (base, ours, theirs) => (ours ?? 0) + (theirs ?? 0) - (base ?? 0);
    const drop: MergeFn<string> = () => DELETE;
    expectTypeOf(add).parameter(0).toEqualTypeOf<number | undefined>();
    expectTypeOf(add).parameter(3).toEqualTypeOf<{ key: string }>();
    expectTypeOf(counter()).toEqualTypeOf<ContentType<CounterValue>>();
    // @ts-expect-error a merge function returns the value type or DELETE
    const bad: MergeFn<number> = () => "nope";
    void bad;
    const ct: ContentType<string[]> = { name: "typed-union", merge: (_b, o, t) => [...new Set([...(o ?? []), ...(t ?? [])])] };
    expectTypeOf(ct.merge).returns.toEqualTypeOf<string[] | typeof DELETE>();

    const backend = new MemoryStore();
    const a = await store<{ n: number; s: string }>({ backend });
    const b = await store<{ n: number; s: string }>({ backend });
    a.setMergeFn("n", add);
    b.setMergeFn("n", add);
    a.setMergeFn("s", drop);
    b.setMergeFn("s", drop);
    a.n = 1;
    a.s = "x";
    await a.commit();
    await b.refresh();
    a.n = 2;
    b.n = 3;
    a.s = "a";
    b.s = "b";
    await a.commit();
    const r = await b.commit();
    expectTypeOf(r.strategy).toEqualTypeOf<"no_op" | "fast_forward" | "three_way">();
    expect(r.strategy).toBe("three_way");
    expect(b.n).toBe(4);
    expect(b.has("s")).toBe(false);
    await a.close();
  });

  it("types history, snapshots, proofs and errors", async () => {
    const s = await store<Game>();
    s.score = 1;
    await s.commit({ message: "one" });
    expectTypeOf(s.log()).toEqualTypeOf<Promise<CommitInfo[]>>();
    expectTypeOf(s.diff("main~1", "main")).toEqualTypeOf<Promise<DiffResult>>();
    expectTypeOf(s.history()).toEqualTypeOf<AsyncIterable<string>>();
    expectTypeOf(s.currentBranch).toEqualTypeOf<string | null>();

    const snap = await s.at("main");
    expectTypeOf(snap).toEqualTypeOf<Snapshot>();
    // snapshot reads are async and not typed by the schema
    expectTypeOf(snap.get("score")).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(snap.size).returns.toEqualTypeOf<Promise<number>>();
    expect(await snap.get("score")).toBe(1);

    const proof = await s.prove("score");
    expectTypeOf(proof).toEqualTypeOf<Proof>();
    expectTypeOf(verifyProof).parameter(0).toEqualTypeOf<unknown>();
    expectTypeOf(verifyProof).returns.toEqualTypeOf<boolean>();
    expect(verifyProof(proof)).toBe(true);
    expect(verifyProof("not a proof")).toBe(false);
    expectTypeOf(proof.version).toEqualTypeOf<2>();
    expectTypeOf(proof.commitBytes).toEqualTypeOf<string>();
    expectTypeOf(jsonRendering).parameter(0).toEqualTypeOf<unknown>();
    expectTypeOf(jsonRendering).returns.toEqualTypeOf<unknown>();
    expectTypeOf(s.setDefaultMerge).parameter(1).toEqualTypeOf<{ prefix?: string } | undefined>();
    expectTypeOf<KVStore["casDelete"]>().toEqualTypeOf<((key: string, expected: Uint8Array) => Promise<boolean>) | undefined>();
    // @ts-expect-error a prefix is given as an option, not as a string
    expect(() => s.setDefaultMerge(() => 1, "ns/")).toThrow(TypeError);

    expectTypeOf<KeyError>().toExtend<KvgitError>();
    expectTypeOf<MergeConflict["conflicts"]>().toEqualTypeOf<Conflict[]>();
    expectTypeOf<KvgitError["code"]>().toEqualTypeOf<string>();
    expectTypeOf<MemoryStore>().toExtend<KVStore>();
    const err = (() => {
      try {
        s.remove("user");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(KeyError);
    expect((err as KeyError).code).toBe("KEY_NOT_FOUND");
    await s.close();
  });

  it("accepts a custom Codec object in store()", async () => {
    const upper: Codec = {
      name: "upper-json",
      encode: (v) => new TextEncoder().encode(JSON.stringify(v)),
      decode: (b) => JSON.parse(new TextDecoder().decode(b)),
    };
    const s = await store<{ word: string }>({ codec: upper });
    s.word = "hi";
    await s.commit();
    expect(s.word).toBe("hi");
    // @ts-expect-error unknown codec names are rejected at compile time
    await expect(store({ codec: "yaml" })).rejects.toThrow(TypeError);
    await s.close();
  });
});
