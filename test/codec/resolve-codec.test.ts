import { describe, expect, it } from "vitest";
import { CodecError } from "../../src/errors.ts";
import {
  bytesCodec, decodeValue, encodeValue, jsonCodec, msgpackCodec, resolveCodec, superjsonCodec, type Codec,
} from "../../src/codec/index.ts";

describe("resolveCodec", () => {
  it("resolves the built-in names, msgpack by default", () => {
    expect(resolveCodec("msgpack")).toBe(msgpackCodec);
    expect(resolveCodec("superjson")).toBe(superjsonCodec);
    expect(resolveCodec("json")).toBe(jsonCodec);
    expect(resolveCodec("bytes")).toBe(bytesCodec);
    expect(resolveCodec(undefined)).toBe(msgpackCodec);
    expect(resolveCodec().name).toBe("msgpack");
  });

  it("returns a Codec object as is", () => {
    const custom: Codec = { name: "upper", encode: (v) => new TextEncoder().encode(String(v).toUpperCase()), decode: (b) => new TextDecoder().decode(b) };
    expect(resolveCodec(custom)).toBe(custom);
  });

  it.each([
    ["an unknown name", "yaml"],
    ["a name in the wrong case", "MsgPack"],
    ["a number", 3],
    ["null", null],
    ["a function", () => 0],
    ["an object without encode", { name: "x", decode: (): number => 0 }],
    ["an object without a name", { encode: () => new Uint8Array(), decode: (): number => 0 }],
    ["an inherited key name", "toString"],
  ])("throws a TypeError naming the codec option for %s", (_label, spec) => {
    expect(() => resolveCodec(spec as never)).toThrow(TypeError);
    expect(() => resolveCodec(spec as never)).toThrow(/codec option/);
  });
});

describe("encodeValue / decodeValue", () => {
  it("add the key to a codec's error", () => {
    try {
      encodeValue(msgpackCodec, { f() {} }, "user");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CodecError);
      expect((error as CodecError).key).toBe("user");
      expect((error as CodecError).message).toMatch(/^key "user": the msgpack codec cannot encode a function/);
      expect((error as CodecError).data).toMatchObject({ key: "user", codec: "msgpack", path: "value.f" });
    }
  });

  it("wrap a custom codec that throws anything, or returns something that is not bytes", () => {
    const throwing: Codec = { name: "t", encode: () => { throw new Error("nope"); }, decode: () => { throw "bad"; } };
    expect(() => encodeValue(throwing, 1, "k")).toThrow(CodecError);
    expect(() => encodeValue(throwing, 1, "k")).toThrow('key "k": nope');
    expect(() => decodeValue(throwing, new Uint8Array(), "k")).toThrow(CodecError);
    const wrongType: Codec = { name: "w", encode: () => "text" as never, decode: () => 0 };
    expect(() => encodeValue(wrongType, 1, "k")).toThrow(/returned string from encode instead of a Uint8Array/);
    expect(() => encodeValue(throwing, 1)).toThrow(CodecError);
  });

  it("pass values through", () => {
    expect(decodeValue(jsonCodec, encodeValue(jsonCodec, { a: 1 }, "k"), "k")).toEqual({ a: 1 });
  });
});

describe("docs/codecs.md custom codec example", () => {
  const text: Codec = {
    name: "text",
    encode(value) {
      if (typeof value !== "string") {
        throw new CodecError(`the text codec stores strings only, got ${typeof value}`, { codec: "text" });
      }
      return new TextEncoder().encode(value);
    },
    decode(bytes) {
      try {
        return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        throw new CodecError("the text codec cannot decode bytes that are not UTF-8", { codec: "text" });
      }
    },
  };

  it("resolves, round-trips and reports errors with the key", () => {
    expect(resolveCodec(text)).toBe(text);
    expect(decodeValue(text, encodeValue(text, "héllo", "k"), "k")).toBe("héllo");
    expect(() => encodeValue(text, 1, "k")).toThrow('key "k": the text codec stores strings only, got number');
    expect(() => decodeValue(text, new Uint8Array([0xff]), "k")).toThrow(CodecError);
  });
});
