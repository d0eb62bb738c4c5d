/**
 * One test per row of the table in docs/codecs.md and per codec: what round-trips, what comes
 * back changed (and how), and what is refused with a CodecError.
 */
import { describe, expect, it } from "vitest";
import { CodecError } from "../../src/errors.ts";
import { jsonCodec, msgpackCodec, registerClass, superjsonCodec, type Codec } from "../../src/codec/index.ts";

class TablePoint {
  x: number;
  label: string;
  when: Date;
  constructor(x: number, label: string) {
    this.x = x;
    this.label = label;
    this.when = new Date(0);
  }
  norm(): number {
    return Math.abs(this.x);
  }
}
registerClass(TablePoint);
class NotRegistered {
  a = 1;
}

/** "same": decodes to an equal value (strict: types, -0, undefined properties) with identical re-encoded bytes. */
type Outcome = "same" | "error" | ((decoded: any, original: any) => void);
interface Row {
  feature: string;
  value: () => unknown;
  msgpack: Outcome;
  superjson: Outcome;
  json: Outcome;
}

const allTypedArrays = () => [
  new Int8Array([-1, 2]),
  new Uint8Array([0, 255]),
  new Uint8ClampedArray([7]),
  new Int16Array([-300]),
  new Uint16Array([65535]),
  new Int32Array([-70000]),
  new Uint32Array([4000000000]),
  new Float32Array([1.5, NaN]),
  new Float64Array([-0, Infinity, Math.PI]),
  new BigInt64Array([-(2n ** 63n)]),
  new BigUint64Array([2n ** 64n - 1n]),
];

const rows: Row[] = [
  { feature: "null, booleans, strings, numbers", value: () => [null, true, false, "", "héllo ✓ 😀", 0, 1, -1, 2 ** 31, 2 ** 53, 1.5e300, 0.1], msgpack: "same", superjson: "same", json: "same" },
  { feature: "nested objects and arrays", value: () => ({ a: { b: [{ c: [1, [2, [3]]] }] }, e: [] as unknown[], o: {} }), msgpack: "same", superjson: "same", json: "same" },
  {
    feature: "object key order (insertion order, integer-like keys first)",
    value: () => ({ z: 1, a: 2, 10: "ten", 2: "two", m: 3 }),
    msgpack: (d, o) => expect(Object.keys(d)).toEqual(Object.keys(o)),
    superjson: (d, o) => expect(Object.keys(d)).toEqual(Object.keys(o)),
    json: (d, o) => expect(Object.keys(d)).toEqual(Object.keys(o)),
  },
  { feature: "NaN, Infinity, -Infinity", value: () => [NaN, Infinity, -Infinity], msgpack: "same", superjson: "same", json: "error" },
  { feature: "-0", value: () => ({ z: -0, list: [-0, 0] }), msgpack: "same", superjson: "same", json: "same" },
  { feature: "bigint (small, 64-bit edges, beyond 64 bits, negative)", value: () => [0n, 5n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 64n, -(2n ** 200n) - 7n, 10n ** 300n], msgpack: "same", superjson: "same", json: "error" },
  { feature: "undefined at the top level", value: () => undefined, msgpack: "same", superjson: "same", json: "error" },
  {
    feature: "undefined as an object property",
    value: () => ({ a: undefined, b: 1 }),
    msgpack: "same",
    superjson: "same",
    json: (d) => expect(d).toStrictEqual({ b: 1 }), // dropped, as JSON.stringify does
  },
  { feature: "undefined in an array", value: () => [undefined, 1], msgpack: "same", superjson: "same", json: "error" },
  {
    feature: "sparse array (hole)",
    value: () => [1, , 3], // eslint-disable-line no-sparse-arrays
    msgpack: (d) => {
      expect(d).toStrictEqual([1, undefined, 3]); // the hole reads back as undefined
      expect(1 in d).toBe(true);
    },
    superjson: "error",
    json: "error",
  },
  { feature: "Date", value: () => [new Date(0), new Date(Date.UTC(2024, 5, 1, 12, 30, 15, 999)), new Date(-1e12), new Date(8.64e15)], msgpack: "same", superjson: "same", json: "error" },
  {
    feature: "Invalid Date",
    value: () => new Date(NaN),
    msgpack: (d) => {
      expect(d).toBeInstanceOf(Date);
      expect(Number.isNaN(d.getTime())).toBe(true);
    },
    superjson: "error",
    json: "error",
  },
  {
    feature: "Map (insertion order, any keys)",
    value: () => new Map<unknown, unknown>([["b", 1], ["a", { deep: [1] }], [1, "one"], [{ k: 1 }, new Date(5)]]),
    msgpack: (d, o) => {
      expect(d).toStrictEqual(o);
      expect([...d.keys()]).toStrictEqual([...o.keys()]);
    },
    superjson: (d, o) => {
      expect(d).toStrictEqual(o);
      expect([...d.keys()]).toStrictEqual([...o.keys()]);
    },
    json: "error",
  },
  {
    feature: "Set (insertion order)",
    value: () => new Set<unknown>(["b", "a", 3, { x: 1 }]),
    msgpack: (d, o) => expect([...d]).toStrictEqual([...o]),
    superjson: (d, o) => expect([...d]).toStrictEqual([...o]),
    json: "error",
  },
  {
    feature: "RegExp (source and flags)",
    value: () => /a\/b[c-d]+$/gimsuy,
    msgpack: (d, o) => expect([d.source, d.flags, d instanceof RegExp]).toStrictEqual([o.source, o.flags, true]),
    superjson: (d, o) => expect([d.source, d.flags, d instanceof RegExp]).toStrictEqual([o.source, o.flags, true]),
    json: "error",
  },
  {
    feature: "Error (name, message, cause)",
    value: () => new RangeError("too big", { cause: { limit: 3 } }),
    msgpack: (d) => {
      expect(d).toBeInstanceOf(RangeError); // built-in Error classes are restored
      expect([d.name, d.message, d.cause]).toStrictEqual(["RangeError", "too big", { limit: 3 }]);
    },
    superjson: (d) => {
      expect(d).toBeInstanceOf(Error); // superjson restores a plain Error carrying the name
      expect([d.name, d.message, d.cause]).toStrictEqual(["RangeError", "too big", { limit: 3 }]);
    },
    json: "error",
  },
  {
    feature: "Error subclass (stored as an Error with its name)",
    value: () => {
      class AppError extends Error {
        override name = "AppError";
      }
      return new AppError("nope");
    },
    msgpack: (d) => expect([d instanceof Error, d.name, d.message]).toStrictEqual([true, "AppError", "nope"]),
    superjson: (d) => expect([d instanceof Error, d.name, d.message]).toStrictEqual([true, "AppError", "nope"]),
    json: "error",
  },
  {
    feature: "typed arrays (every kind, NaN and -0 inside)",
    value: allTypedArrays,
    msgpack: "same",
    superjson: "same",
    json: "error",
  },
  {
    feature: "typed array views with a byteOffset",
    value: () => {
      const buffer = new ArrayBuffer(64);
      new Uint8Array(buffer).forEach((_, i, a) => (a[i] = i));
      return [new Uint8Array(buffer, 3, 5), new Float64Array(buffer, 8, 2), new Int16Array(buffer, 6, 3)];
    },
    msgpack: (d, o) => {
      expect(d).toStrictEqual(o);
      expect(d.map((v: ArrayBufferView) => v.byteOffset)).toStrictEqual([0, 0, 0]); // compact copies, same contents
    },
    superjson: (d, o) => expect(d).toStrictEqual(o),
    json: "error",
  },
  { feature: "ArrayBuffer and DataView", value: () => [new Uint8Array([1, 2, 3]).buffer, new DataView(new Uint8Array([9, 8]).buffer)], msgpack: "same", superjson: "same", json: "error" },
  {
    feature: "Node Buffer",
    value: () => Buffer.from("hello"),
    msgpack: (d) => expect([Buffer.isBuffer(d), d.toString()]).toStrictEqual([true, "hello"]),
    superjson: (d) => expect([Buffer.isBuffer(d), d.toString()]).toStrictEqual([true, "hello"]),
    json: "error",
  },
  {
    feature: "shared references (identity kept)",
    value: () => {
      const shared = { n: 1 };
      return { a: shared, b: [shared], m: { s: shared } };
    },
    msgpack: (d) => expect(d.a === d.b[0] && d.a === d.m.s).toBe(true),
    superjson: (d) => expect(d.a === d.b[0] && d.a === d.m.s).toBe(true),
    json: (d) => {
      expect(d).toStrictEqual({ a: { n: 1 }, b: [{ n: 1 }], m: { s: { n: 1 } } });
      expect(d.a).not.toBe(d.b[0]); // JSON writes every occurrence: equal copies come back
    },
  },
  {
    feature: "cyclic references (objects, arrays, Maps, Sets)",
    value: () => {
      const o: Record<string, unknown> = { name: "root" };
      const arr: unknown[] = [o];
      const m = new Map<string, unknown>();
      const s = new Set<unknown>();
      o.self = o;
      o.arr = arr;
      arr.push(arr);
      m.set("m", m);
      s.add(s);
      o.m = m;
      o.s = s;
      return o;
    },
    msgpack: (d) => {
      expect(d.self).toBe(d);
      expect(d.arr[0]).toBe(d);
      expect(d.arr[1]).toBe(d.arr);
      expect(d.m.get("m")).toBe(d.m);
      expect([...d.s][0]).toBe(d.s);
    },
    superjson: "error", // the cycle through the Set cannot be re-linked by superjson
    json: "error",
  },
  {
    feature: "cyclic references (objects, arrays, Maps only)",
    value: () => {
      const o: Record<string, unknown> = { name: "root" };
      const m = new Map<string, unknown>([["back", o]]);
      o.self = o;
      o.list = [o, m];
      return o;
    },
    msgpack: (d) => expect([d.self === d, d.list[0] === d, d.list[1].get("back") === d]).toStrictEqual([true, true, true]),
    superjson: (d) => expect([d.self === d, d.list[0] === d, d.list[1].get("back") === d]).toStrictEqual([true, true, true]),
    json: "error",
  },
  {
    feature: "registered class instances",
    value: () => ({ p: new TablePoint(-3, "a"), list: [new TablePoint(4, "b")] }),
    msgpack: (d, o) => {
      expect(d).toStrictEqual(o);
      expect(d.p).toBeInstanceOf(TablePoint);
      expect(d.p.norm()).toBe(3);
      expect(d.p.when).toBeInstanceOf(Date);
    },
    superjson: (d, o) => {
      expect(d).toStrictEqual(o);
      expect(d.p).toBeInstanceOf(TablePoint);
      expect(d.p.norm()).toBe(3);
      expect(d.p.when).toBeInstanceOf(Date);
    },
    json: "error",
  },
  {
    feature: "registered class instance in a cycle",
    value: () => {
      const p = new TablePoint(1, "self") as TablePoint & { me?: unknown };
      p.me = p;
      return [p, p];
    },
    msgpack: (d) => expect([d[0] instanceof TablePoint, d[0].me === d[0], d[1] === d[0]]).toStrictEqual([true, true, true]),
    superjson: "error",
    json: "error",
  },
  { feature: "instance of an unregistered class", value: () => ({ x: new NotRegistered() }), msgpack: "error", superjson: "error", json: "error" },
  { feature: "function", value: () => ({ f: () => 1 }), msgpack: "error", superjson: "error", json: "error" },
  { feature: "symbol", value: () => [Symbol("s")], msgpack: "error", superjson: "error", json: "error" },
  { feature: "WeakMap, Promise, boxed primitives", value: () => [new WeakMap()], msgpack: "error", superjson: "error", json: "error" },
  { feature: "string with a lone surrogate", value: () => ["a\uD800b"], msgpack: "error", superjson: "same", json: "same" },
  {
    feature: "object with a null prototype",
    value: () => Object.assign(Object.create(null) as object, { a: 1 }),
    msgpack: (d) => expect([Object.getPrototypeOf(d), { ...d }]).toStrictEqual([Object.prototype, { a: 1 }]),
    superjson: (d) => expect({ ...d }).toStrictEqual({ a: 1 }),
    json: (d) => expect([Object.getPrototypeOf(d), { ...d }]).toStrictEqual([Object.prototype, { a: 1 }]),
  },
  { feature: "own property named __proto__", value: () => JSON.parse('{"__proto__": 1, "a": 2}'), msgpack: "error", superjson: "error", json: "same" },
  { feature: "property named constructor", value: () => ({ constructor: "c" }), msgpack: "same", superjson: "error", json: "same" },
  {
    feature: "URL",
    value: () => new URL("https://example.com/a?b=c"),
    msgpack: "error",
    superjson: (d) => expect([d instanceof URL, d.href]).toStrictEqual([true, "https://example.com/a?b=c"]),
    json: "error",
  },
];

const codecs: Record<"msgpack" | "superjson" | "json", Codec> = { msgpack: msgpackCodec, superjson: superjsonCodec, json: jsonCodec };

describe.each(Object.keys(codecs) as Array<keyof typeof codecs>)("%s codec table", (codecName) => {
  const codec = codecs[codecName];
  for (const row of rows) {
    const outcome = row[codecName];
    if (outcome === "error") {
      it(`${row.feature}: refused with a CodecError`, () => {
        const value = row.value();
        expect(() => codec.encode(value)).toThrow(CodecError);
        try {
          codec.encode(value);
        } catch (error) {
          expect((error as CodecError).code).toBe("CODEC");
          expect((error as CodecError).message).toContain(codecName);
        }
      });
      continue;
    }
    it(`${row.feature}: ${outcome === "same" ? "round-trips" : "decodes as documented"}`, () => {
      const value = row.value();
      const bytes = codec.encode(value);
      expect(bytes).toBeInstanceOf(Uint8Array);
      const decoded = codec.decode(bytes);
      if (outcome === "same") expect(decoded).toStrictEqual(value);
      else outcome(decoded, value);
      // decoding then encoding again gives the same bytes (except where the codec normalises)
      if (outcome === "same") expect(Buffer.from(codec.encode(decoded)).equals(Buffer.from(bytes))).toBe(true);
    });
  }
});
