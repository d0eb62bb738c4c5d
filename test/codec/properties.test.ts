import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CodecError } from "../../src/errors.ts";
import { bytesCodec, createMsgpackCodec, jsonCodec, msgpackCodec, superjsonCodec, type Codec } from "../../src/codec/index.ts";

const forbidden = new Set(["__proto__", "constructor", "prototype"]);
const key = fc.string({ maxLength: 8 }).filter((k) => !forbidden.has(k));

function structured(opts: { invalidDates: boolean }) {
  const leaf = fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 10 }),
    fc.string({ unit: "binary-ascii", maxLength: 10 }),
    fc.double(), // includes NaN, -0, ±Infinity
    fc.integer(),
    fc.bigInt(),
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.date({ noInvalidDate: !opts.invalidDates }),
    fc.uint8Array({ maxLength: 6 }),
    fc.float64Array({ maxLength: 3 }),
    fc.bigInt64Array({ maxLength: 2 }),
  );
  return fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown>; map: Map<unknown, unknown>; set: Set<unknown> }>((tie) => ({
    value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("array"), tie("object"), tie("map"), tie("set")),
    array: fc.array(tie("value"), { maxLength: 5 }),
    object: fc.dictionary(key, tie("value"), { maxKeys: 5, noNullPrototype: true }),
    map: fc.array(fc.tuple(tie("value"), tie("value")), { maxLength: 4 }).map((entries) => new Map(entries)),
    set: fc.array(tie("value"), { maxLength: 4 }).map((items) => new Set(items)),
  })).value;
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe.each([
  ["msgpack", msgpackCodec, structured({ invalidDates: true })],
  ["superjson", superjsonCodec, structured({ invalidDates: false })],
  ["json", jsonCodec, fc.jsonValue()],
] as Array<[string, Codec, fc.Arbitrary<unknown>]>)("%s codec properties", (_name, codec, arbitrary) => {
  it("decode(encode(x)) equals x", () => {
    fc.assert(
      fc.property(arbitrary, (x) => {
        expect(codec.decode(codec.encode(x))).toStrictEqual(x);
      }),
      { numRuns: 300 },
    );
  });

  it("encode(decode(encode(x))) gives the same bytes", () => {
    fc.assert(
      fc.property(arbitrary, (x) => {
        const bytes = codec.encode(x);
        expect(same(codec.encode(codec.decode(bytes)), bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("encoding is deterministic: twice, after other values, and for an equal copy", () => {
    fc.assert(
      fc.property(arbitrary, arbitrary, (x, y) => {
        const first = codec.encode(x);
        codec.encode(y);
        expect(same(codec.encode(x), first)).toBe(true);
        expect(same(codec.encode(structuredClone(x)), first)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("decoding arbitrary bytes returns a value or throws a CodecError, nothing else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (bytes) => {
        try {
          codec.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(CodecError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("decoding a corrupted encoding returns a value or throws a CodecError", () => {
    fc.assert(
      fc.property(arbitrary, fc.nat(), fc.integer({ min: 1, max: 255 }), (x, at, flip) => {
        const bytes = codec.encode(x).slice();
        if (bytes.length === 0) return;
        bytes[at % bytes.length]! ^= flip;
        try {
          codec.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(CodecError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("msgpack determinism across codec instances", () => {
  it("a fresh codec (fresh Packr) encodes every value to the same bytes, whatever came before", () => {
    const arbitrary = structured({ invalidDates: true });
    fc.assert(
      fc.property(fc.array(arbitrary, { minLength: 1, maxLength: 6 }), (values) => {
        const a = createMsgpackCodec();
        const b = createMsgpackCodec();
        const forward = values.map((v) => a.encode(v));
        const backward = [...values].reverse().map((v) => b.encode(v)).reverse();
        forward.forEach((bytes, i) => {
          expect(same(bytes, backward[i]!)).toBe(true);
          expect(same(bytes, createMsgpackCodec().encode(values[i]))).toBe(true);
          expect(same(bytes, msgpackCodec.encode(values[i]))).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("many object shapes in one value (more than msgpackr's 64 in-message records) stay deterministic", () => {
    const shapes = Array.from({ length: 150 }, (_, i) => ({ [`k${i}`]: i, [`j${i % 7}`]: { [`n${i % 3}`]: i } }));
    const first = msgpackCodec.encode(shapes);
    msgpackCodec.encode(shapes.slice().reverse());
    expect(same(msgpackCodec.encode(shapes), first)).toBe(true);
    expect(same(createMsgpackCodec().encode(shapes), first)).toBe(true);
    expect(msgpackCodec.decode(first)).toStrictEqual(shapes);
  });
});

describe("bytes codec properties", () => {
  it("stores any Uint8Array verbatim", () => {
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => {
        const stored = bytesCodec.encode(bytes);
        expect(same(stored, bytes)).toBe(true);
        expect(bytesCodec.decode(stored)).toStrictEqual(bytes);
      }),
    );
  });
});
