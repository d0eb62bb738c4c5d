import { describe, expect, it } from "vitest";
import { CodecError } from "../../src/errors.ts";
import { bytesCodec } from "../../src/codec/index.ts";

describe("bytes codec", () => {
  it("stores a Uint8Array verbatim and copies on the way in and out", () => {
    const input = new Uint8Array([1, 2, 3]);
    const stored = bytesCodec.encode(input);
    expect([...stored]).toEqual([1, 2, 3]);
    input[0] = 9;
    expect(stored[0]).toBe(1);
    const out = bytesCodec.decode(stored) as Uint8Array;
    out[1] = 9;
    expect(stored[1]).toBe(2);
  });

  it("stores a Buffer (and a view at an offset) by its bytes; decodes to a Uint8Array", () => {
    const buf = Buffer.from("abcdef").subarray(2, 4);
    const stored = bytesCodec.encode(buf);
    expect(new TextDecoder().decode(stored)).toBe("cd");
    const out = bytesCodec.decode(stored);
    expect(out).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(out)).toBe(false);
  });

  it.each([["a string", "abc"], ["a number", 1], ["an ArrayBuffer", new ArrayBuffer(2)], ["an Int8Array", new Int8Array(2)], ["an object", {}], ["undefined", undefined]])(
    "refuses %s",
    (_label, value) => {
      expect(() => bytesCodec.encode(value)).toThrow(CodecError);
      expect(() => bytesCodec.encode(value)).toThrow(/bytes codec can only store a Uint8Array or Buffer/);
    },
  );

  it("decoding something that is not a Uint8Array is a CodecError", () => {
    expect(() => bytesCodec.decode([1, 2] as never)).toThrow(CodecError);
  });
});
