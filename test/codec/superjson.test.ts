import { describe, expect, it } from "vitest";
import { CodecError } from "../../src/errors.ts";
import { registerClass, superjsonCodec } from "../../src/codec/index.ts";

class Note {
  text = "";
  at = new Date(0);
}
registerClass(Note, "SuperjsonNote");

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("superjson codec", () => {
  it("stores readable JSON", () => {
    const text = new TextDecoder().decode(superjsonCodec.encode({ when: new Date(0), tags: new Set(["a"]) }));
    expect(JSON.parse(text)).toEqual({
      json: { when: "1970-01-01T00:00:00.000Z", tags: ["a"] },
      meta: { values: { when: ["Date"], tags: ["set"] }, v: 1 },
    });
  });

  it("round-trips registered classes by their registered name", () => {
    const n = Object.assign(new Note(), { text: "hi" });
    const text = new TextDecoder().decode(superjsonCodec.encode(n));
    expect(text).toContain('["class","SuperjsonNote"]');
    const decoded = superjsonCodec.decode(utf8(text));
    expect(decoded).toBeInstanceOf(Note);
    expect(decoded).toStrictEqual(n);
  });

  it("does not touch the global superjson instance", async () => {
    const { default: SuperJSON } = await import("superjson");
    expect(SuperJSON.serialize(new Note()).meta?.values).toBeUndefined();
  });

  it("an Error without a cause reads back without one", () => {
    const decoded = superjsonCodec.decode(superjsonCodec.encode(new Error("x"))) as Error;
    expect(Object.prototype.hasOwnProperty.call(decoded, "cause")).toBe(false);
  });

  it.each([
    ["not UTF-8", new Uint8Array([0xff, 0xfe])],
    ["not JSON", utf8("{nope")],
    ["JSON but not superjson", utf8("[1,2]")],
    ["a number", utf8("5")],
    ["bad meta", utf8('{"json":1,"meta":5}')],
    ["unknown transformation", utf8('{"json":1,"meta":{"values":["nope"],"v":1}}')],
    ["unknown class", utf8('{"json":{},"meta":{"values":[["class","Nobody"]],"v":1}}')],
  ])("garbage is a CodecError: %s", (_label, bytes) => {
    expect(() => superjsonCodec.decode(bytes)).toThrow(CodecError);
  });

  it("an unknown class names the class and the fix", () => {
    expect(() => superjsonCodec.decode(utf8('{"json":{},"meta":{"values":[["class","Nobody"]],"v":1}}'))).toThrow(
      /class "Nobody".*registerClass\(Nobody\)/,
    );
  });

  it("refuses keys superjson rejects, with the reason", () => {
    expect(() => superjsonCodec.encode({ a: { prototype: 1 } })).toThrow(/property "prototype" at value\.a/);
  });
});
