import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KVStore } from "../../src/kv/kv-store.ts";

export interface ConformanceOptions {
  /** Skip the whole block; a string says why (shown in the test name). */
  skip?: boolean | string;
  /** Concurrent CAS: callers racing per round, and rounds. Default 50 x 5. */
  casCallers?: number;
  casRounds?: number;
  /** Keys written by the bulk test (exercises paging in scans). Default 2,500. */
  bulkKeys?: number;
}

/**
 * The KVStore contract (SPEC §4.7) as a vitest block any backend runs, keyv test-suite
 * style. Each call of `open` must open the same underlying store (a shared backend must
 * then show one store's writes to the other); tests are isolated by `clear()`, run before
 * and after each test, so `open` should point at a namespace no one else uses.
 */
export function kvStoreConformance(name: string, open: () => Promise<KVStore>, opts: ConformanceOptions = {}): void {
  const callers = opts.casCallers ?? 50;
  const rounds = opts.casRounds ?? 5;
  const bulk = opts.bulkKeys ?? 2_500;
  const title = `KVStore conformance: ${name}` + (typeof opts.skip === "string" ? ` (skipped: ${opts.skip})` : "");

  describe.skipIf(Boolean(opts.skip))(title, () => {
    let s: KVStore;

    beforeEach(async () => {
      s = await open();
      await s.clear();
    });

    afterEach(async () => {
      if (!s) return;
      await s.clear();
      await s.close();
    });

    it("states its capabilities as properties", () => {
      expect(typeof s.atomicCas).toBe("boolean");
      expect(typeof s.shared).toBe("boolean");
      expect(typeof s.description).toBe("string");
      expect(s.description.length).toBeGreaterThan(0);
    });

    it("starts empty after clear", async () => {
      expect(await collect(s.keys())).toEqual([]);
      expect(await s.get("missing")).toBeUndefined();
      expect(await s.has("missing")).toBe(false);
    });

    it("set / get / has / overwrite", async () => {
      await s.set("a", b(1, 2, 3));
      expect(await s.get("a")).toEqual(b(1, 2, 3));
      expect(await s.has("a")).toBe(true);
      await s.set("a", b(9));
      expect(await s.get("a")).toEqual(b(9));
      const got = await s.get("a");
      expect(got).toBeInstanceOf(Uint8Array);
    });

    it("getSync, where offered, agrees with get", async () => {
      if (typeof s.getSync !== "function") return;
      await s.set("a", b(1, 2));
      expect(s.getSync("a")).toEqual(b(1, 2));
      expect(s.getSync("missing")).toBeUndefined();
      await s.set("a", b(3));
      expect(s.getSync("a")).toEqual(b(3));
    });

    it("delete removes a key and is a no-op when absent", async () => {
      await s.set("a", b(1));
      await s.delete("a");
      expect(await s.get("a")).toBeUndefined();
      expect(await s.has("a")).toBe(false);
      await s.delete("a");
      await s.delete("never-there");
    });

    it("getMany returns only existing keys", async () => {
      await s.setMany([
        ["x", b(1)],
        ["y", b(2)],
      ]);
      const m = await s.getMany(["x", "nope", "y", "x"]);
      expect(m).toBeInstanceOf(Map);
      expect([...m.keys()].sort()).toEqual(["x", "y"]);
      expect(m.get("x")).toEqual(b(1));
      expect(m.get("y")).toEqual(b(2));
      expect((await s.getMany([])).size).toBe(0);
      expect((await s.getMany(["nope"])).size).toBe(0);
    });

    it("setMany takes any iterable; a later duplicate wins", async () => {
      function* gen(): Generator<readonly [string, Uint8Array]> {
        yield ["g1", b(1)];
        yield ["g2", b(2)];
      }
      await s.setMany(gen());
      await s.setMany([]);
      await s.setMany([
        ["d", b(1)],
        ["d", b(2)],
      ]);
      expect(await s.get("g1")).toEqual(b(1));
      expect(await s.get("g2")).toEqual(b(2));
      expect(await s.get("d")).toEqual(b(2));
    });

    it("deleteMany removes present keys and ignores absent ones", async () => {
      await s.setMany([
        ["a", b(1)],
        ["b", b(2)],
        ["c", b(3)],
      ]);
      await s.deleteMany(["a", "c", "zz"]);
      await s.deleteMany([]);
      expect((await collect(s.keys())).sort()).toEqual(["b"]);
    });

    it("keys(prefix) lists exactly the keys starting with prefix", async () => {
      const keys = ["obj/1", "obj/2", "obj", "ob", "head/main", "head/dev", "x:y", "x::y", "é/ü", "🙂/k"];
      await s.setMany(keys.map((k) => [k, b(1)] as const));
      expect((await collect(s.keys())).sort()).toEqual([...keys].sort());
      expect((await collect(s.keys(""))).sort()).toEqual([...keys].sort());
      expect((await collect(s.keys("obj"))).sort()).toEqual(["obj", "obj/1", "obj/2"]);
      expect((await collect(s.keys("obj/"))).sort()).toEqual(["obj/1", "obj/2"]);
      expect((await collect(s.keys("head/"))).sort()).toEqual(["head/dev", "head/main"]);
      expect((await collect(s.keys("x:"))).sort()).toEqual(["x::y", "x:y"]);
      expect(await collect(s.keys("é/"))).toEqual(["é/ü"]);
      expect(await collect(s.keys("🙂"))).toEqual(["🙂/k"]);
      expect(await collect(s.keys("zzz"))).toEqual([]);
    });

    it("keys(prefix) treats glob / LIKE / regex characters literally", async () => {
      const keys = ["a*b", "a?c", "a[x]", "a%d", "a_e", "a\\f", "ab", "aXb", "a.g", "a^h", "a$i", "a(j)", "a{k}", "a+l", "a|m"];
      await s.setMany(keys.map((k) => [k, b(1)] as const));
      for (const k of keys) {
        const prefix = k.slice(0, 2);
        const expected = keys.filter((x) => x.startsWith(prefix)).sort();
        expect((await collect(s.keys(prefix))).sort(), `prefix ${JSON.stringify(prefix)}`).toEqual(expected);
      }
      expect(await collect(s.keys("a*"))).toEqual(["a*b"]);
      expect(await collect(s.keys("a_"))).toEqual(["a_e"]);
      expect(await collect(s.keys("a%"))).toEqual(["a%d"]);
      expect(await collect(s.keys("a\\"))).toEqual(["a\\f"]);
      expect(await collect(s.keys("a["))).toEqual(["a[x]"]);
      expect(await collect(s.keys("a?"))).toEqual(["a?c"]);
      expect((await collect(s.keys("a"))).length).toBe(keys.length);
    });

    it("keys(prefix) is case-sensitive", async () => {
      await s.setMany([
        ["Abc", b(1)],
        ["abc", b(2)],
      ]);
      expect(await collect(s.keys("A"))).toEqual(["Abc"]);
      expect(await collect(s.keys("a"))).toEqual(["abc"]);
    });

    it("stores every byte value 0..255, empty values and large values exactly", async () => {
      const all = new Uint8Array(256).map((_, i) => i);
      const reversed = all.slice().reverse();
      const big = new Uint8Array(200_000).map((_, i) => (i * 7919) & 255);
      await s.set("all", all);
      await s.set("empty", new Uint8Array(0));
      await s.setMany([
        ["rev", reversed],
        ["big", big],
      ]);
      expect(await s.get("all")).toEqual(all);
      expect(await s.get("rev")).toEqual(reversed);
      expectBytes(await s.get("big"), big);
      const empty = await s.get("empty");
      expect(empty).toBeInstanceOf(Uint8Array);
      expect(empty!.length).toBe(0);
      expect(await s.has("empty")).toBe(true);
      const m = await s.getMany(["all", "empty", "big"]);
      expect(m.get("all")).toEqual(all);
      expect(m.get("empty")!.length).toBe(0);
      expectBytes(m.get("big"), big);
    });

    it("accepts Uint8Array views that do not start at offset 0", async () => {
      const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
      await s.set("view", backing.subarray(2, 5));
      expect(await s.get("view")).toEqual(b(1, 2, 3));
      expect(await s.cas("view", backing.subarray(0, 1), new Uint8Array([9, 1, 2, 3, 9]).subarray(1, 4))).toBe(true);
      expect(await s.get("view")).toEqual(b(9));
      if (typeof s.casDelete === "function") {
        expect(await s.casDelete("view", new Uint8Array([7, 9, 7]).subarray(1, 2))).toBe(true);
        expect(await s.has("view")).toBe(false);
      }
    });

    it("never aliases caller buffers or returned buffers", async () => {
      const v = b(1, 2, 3);
      await s.set("a", v);
      v[0] = 99;
      expect(await s.get("a")).toEqual(b(1, 2, 3));

      const w = b(4, 5);
      await s.setMany([["b", w]]);
      w[0] = 99;
      expect(await s.get("b")).toEqual(b(4, 5));

      const got = (await s.get("a"))!;
      got[0] = 77;
      expect(await s.get("a")).toEqual(b(1, 2, 3));
      const many = await s.getMany(["a"]);
      many.get("a")![1] = 77;
      expect(await s.get("a")).toEqual(b(1, 2, 3));

      const c = b(6);
      expect(await s.cas("c", c, undefined)).toBe(true);
      c[0] = 99;
      expect(await s.get("c")).toEqual(b(6));
    });

    it("cas with expected absent creates only when the key is absent", async () => {
      expect(await s.cas("k", b(1), undefined)).toBe(true);
      expect(await s.get("k")).toEqual(b(1));
      expect(await s.cas("k", b(2), undefined)).toBe(false);
      expect(await s.get("k")).toEqual(b(1));
    });

    it("cas with expected present swaps only on an exact byte match", async () => {
      await s.set("k", b(1, 2));
      expect(await s.cas("k", b(3), b(1))).toBe(false);
      expect(await s.cas("k", b(3), b(1, 2, 0))).toBe(false);
      expect(await s.cas("k", b(3), b(2, 1))).toBe(false);
      expect(await s.get("k")).toEqual(b(1, 2));
      expect(await s.cas("k", b(3), b(1, 2))).toBe(true);
      expect(await s.get("k")).toEqual(b(3));
    });

    it("cas with an expected value on an absent key fails and leaves it absent", async () => {
      expect(await s.cas("k", b(1), b(0))).toBe(false);
      expect(await s.cas("k", b(1), new Uint8Array(0))).toBe(false);
      expect(await s.has("k")).toBe(false);
    });

    it("cas distinguishes an empty value from an absent key", async () => {
      await s.set("e", new Uint8Array(0));
      expect(await s.cas("e", b(1), undefined)).toBe(false);
      expect(await s.cas("e", b(1), new Uint8Array(0))).toBe(true);
      expect(await s.get("e")).toEqual(b(1));
      expect(await s.cas("e", new Uint8Array(0), b(1))).toBe(true);
      expect((await s.get("e"))!.length).toBe(0);
    });

    it("cas handles values with every byte value", async () => {
      const all = new Uint8Array(256).map((_, i) => i);
      const next = all.slice().reverse();
      expect(await s.cas("bin", all, undefined)).toBe(true);
      expect(await s.cas("bin", next, all.slice())).toBe(true);
      expect(await s.get("bin")).toEqual(next);
    });

    it(`concurrent cas: exactly one of ${callers} racing callers wins each of ${rounds} rounds`, async () => {
      let current: Uint8Array | undefined = undefined;
      for (let round = 0; round < rounds; round++) {
        const expected: Uint8Array | undefined = current;
        const attempts = Array.from({ length: callers }, (_, i) => enc(`r${round}-c${i}`));
        const results: boolean[] = await Promise.all(attempts.map((v) => s.cas("head", v, expected)));
        const winners: number[] = results.flatMap((ok, i) => (ok ? [i] : []));
        expect(winners, `round ${round}`).toHaveLength(1);
        current = attempts[winners[0]];
        expect(await s.get("head")).toEqual(current);
      }
    });

    it("concurrent cas increments lose no update", async () => {
      const workers = 10;
      const each = 5;
      await s.set("n", enc("0"));
      await Promise.all(
        Array.from({ length: workers }, async () => {
          for (let done = 0; done < each; ) {
            const cur = (await s.get("n"))!;
            if (await s.cas("n", enc(String(Number(dec(cur)) + 1)), cur)) done++;
          }
        }),
      );
      expect(dec((await s.get("n"))!)).toBe(String(workers * each));
    });

    it("casDelete is offered", () => {
      expect(typeof s.casDelete).toBe("function");
    });

    it("casDelete deletes only on an exact byte match", async () => {
      await s.set("k", b(1, 2));
      expect(await s.casDelete!("k", b(1))).toBe(false);
      expect(await s.casDelete!("k", b(1, 2, 0))).toBe(false);
      expect(await s.casDelete!("k", b(2, 1))).toBe(false);
      expect(await s.casDelete!("k", new Uint8Array(0))).toBe(false);
      expect(await s.get("k")).toEqual(b(1, 2));
      expect(await s.casDelete!("k", b(1, 2))).toBe(true);
      expect(await s.get("k")).toBeUndefined();
      expect(await s.has("k")).toBe(false);
      expect(await collect(s.keys("k"))).toEqual([]);
      expect(await s.casDelete!("k", b(1, 2))).toBe(false);
    });

    it("casDelete distinguishes an empty value from an absent key", async () => {
      expect(await s.casDelete!("e", new Uint8Array(0))).toBe(false);
      expect(await s.has("e")).toBe(false);
      await s.set("e", new Uint8Array(0));
      expect(await s.casDelete!("e", b(0))).toBe(false);
      expect(await s.has("e")).toBe(true);
      expect(await s.casDelete!("e", new Uint8Array(0))).toBe(true);
      expect(await s.has("e")).toBe(false);
      // The key can be created again from absent.
      expect(await s.cas("e", b(1), undefined)).toBe(true);
    });

    it("casDelete handles values with every byte value and leaves other keys alone", async () => {
      const all = new Uint8Array(256).map((_, i) => i);
      await s.setMany([
        ["bin", all],
        ["bin2", all],
      ]);
      expect(await s.casDelete!("bin", all.slice())).toBe(true);
      expect(await s.has("bin")).toBe(false);
      expect(await s.get("bin2")).toEqual(all);
    });

    it(`concurrent casDelete and cas: exactly one of ${callers} racing callers wins each of ${rounds} rounds`, async () => {
      for (let round = 0; round < rounds; round++) {
        const current = enc(`r${round}`);
        await s.set("head", current);
        // Half the callers delete the current value, half swap it for their own.
        const attempts = Array.from({ length: callers }, (_, i) => (i % 2 === 0 ? null : enc(`r${round}-c${i}`)));
        const results: boolean[] = await Promise.all(attempts.map((v) => (v === null ? s.casDelete!("head", current) : s.cas("head", v, current))));
        const winners: number[] = results.flatMap((ok, i) => (ok ? [i] : []));
        expect(winners, `round ${round}`).toHaveLength(1);
        const won = attempts[winners[0]];
        if (won === null) expect(await s.has("head"), `round ${round}`).toBe(false);
        else expect(await s.get("head"), `round ${round}`).toEqual(won);
      }
    });

    it(`bulk: ${bulk} keys through setMany, getMany, keys and deleteMany`, async () => {
      const entries = Array.from({ length: bulk }, (_, i) => [`bulk/${String(i).padStart(6, "0")}`, enc(`v${i}`)] as const);
      await s.setMany(entries);
      await s.set("other", b(1));
      const listed = await collect(s.keys("bulk/"));
      expect(listed.length).toBe(bulk);
      expect(new Set(listed).size).toBe(bulk);
      const got = await s.getMany(entries.map(([k]) => k));
      expect(got.size).toBe(bulk);
      expect(dec(got.get("bulk/000123")!)).toBe("v123");
      await s.deleteMany(entries.map(([k]) => k));
      expect(await collect(s.keys("bulk/"))).toEqual([]);
      expect(await collect(s.keys())).toEqual(["other"]);
    });

    it("clear removes every key", async () => {
      await s.setMany([
        ["a", b(1)],
        ["b/c", b(2)],
      ]);
      await s.clear();
      expect(await collect(s.keys())).toEqual([]);
      expect(await s.get("a")).toBeUndefined();
    });

    it("a second store opened the same way sees the same data", async () => {
      // Only meaningful for persistent/shared backends; in-process ones may return a fresh store.
      await s.set("shared", b(5));
      const t = await open();
      try {
        const v = await t.get("shared");
        if (s.shared) expect(v).toEqual(b(5));
      } finally {
        await t.close();
      }
    });

    it("close is idempotent", async () => {
      const t = await open();
      await t.close();
      await t.close();
    });
  });
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Fast byte comparison (deep equality of large typed arrays is slow in vitest). */
function expectBytes(actual: Uint8Array | undefined, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  const same = Buffer.from(actual!.buffer, actual!.byteOffset, actual!.byteLength).equals(expected);
  if (!same) expect(actual!.length === expected.length ? "same length, different bytes" : `length ${actual!.length}`).toBe(`${expected.length} bytes`);
}

function b(...bytes: number[]): Uint8Array {
  return new Uint8Array(bytes);
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();
function enc(s: string): Uint8Array {
  return textEncoder.encode(s);
}
function dec(v: Uint8Array): string {
  return textDecoder.decode(v);
}
