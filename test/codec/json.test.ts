import { describe, expect, it } from "vitest";
import { CodecError } from "../../src/errors.ts";
import { jsonCodec } from "../../src/codec/index.ts";

const text = (v: unknown) => new TextDecoder().decode(jsonCodec.encode(v));

describe("json codec", () => {
  it("writes compact JSON in key insertion order", () => {
    expect(text({ b: 1, a: [true, null, "x"], c: { d: 1.5 } })).toBe('{"b":1,"a":[true,null,"x"],"c":{"d":1.5}}');
  });

  it("writes -0 as -0 and reads it back", () => {
    expect(text([-0, 0])).toBe("[-0,0]");
    expect(Object.is((jsonCodec.decode(jsonCodec.encode([-0])) as number[])[0], -0)).toBe(true);
  });

  it("drops undefined object properties, like JSON.stringify", () => {
    expect(text({ a: undefined, b: 2 })).toBe('{"b":2}');
  });

  it.each([
    ["undefined", undefined, /undefined/],
    ["NaN", { n: NaN }, /NaN at value\.n/],
    ["Infinity", [Infinity], /Infinity at value\[0\]/],
    ["bigint", 1n, /bigint/],
    ["Date", { d: new Date(0) }, /a Date at value\.d: JSON would store it as a string/],
    ["Map", new Map(), /a Map/],
    ["cycle", (() => { const o: Record<string, unknown> = {}; o.o = o; return o; })(), /cyclic reference at value\.o/],
    ["class", new (class Thing {})(), /instance of class Thing/],
    ["function", { f: () => 0 }, /function/],
    ["undefined in an array", [undefined], /undefined at value\[0\]/],
  ])("refuses %s with a CodecError saying where", (_label, value, message) => {
    expect(() => jsonCodec.encode(value)).toThrow(CodecError);
    expect(() => jsonCodec.encode(value)).toThrow(message);
  });

  it.each([
    ["not UTF-8", new Uint8Array([0xc3])],
    ["not JSON", new TextEncoder().encode("{")],
    ["empty", new Uint8Array()],
  ])("garbage is a CodecError: %s", (_label, bytes) => {
    expect(() => jsonCodec.decode(bytes)).toThrow(CodecError);
  });
});
