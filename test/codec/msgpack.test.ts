import { describe, expect, it } from "vitest";
import { CodecError } from "../../src/errors.ts";
import { createMsgpackCodec, msgpackCodec, registerClass } from "../../src/codec/index.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

class Ghost {
  boo = "!";
}
registerClass(Ghost, "GhostA");

class Account {
  owner: string;
  balance: bigint;
  history: Map<string, Date>;
  constructor(owner: string) {
    this.owner = owner;
    this.balance = 0n;
    this.history = new Map();
  }
}
registerClass(Account);

describe("msgpack codec", () => {
  it("returns a fresh, exact-size Uint8Array (not a view into msgpackr's shared buffer)", () => {
    const a = msgpackCodec.encode({ a: 1 });
    const b = msgpackCodec.encode({ b: 2 });
    expect(a.byteOffset).toBe(0);
    expect(a.buffer.byteLength).toBe(a.byteLength);
    expect(Buffer.isBuffer(a)).toBe(false);
    expect(msgpackCodec.decode(a)).toStrictEqual({ a: 1 });
    expect(msgpackCodec.decode(b)).toStrictEqual({ b: 2 });
  });

  it("decoded binary does not alias the stored bytes", () => {
    const bytes = msgpackCodec.encode({ bin: new Uint8Array([1, 2, 3]) });
    const decoded = msgpackCodec.decode(bytes) as { bin: Uint8Array };
    decoded.bin[0] = 99;
    expect((msgpackCodec.decode(bytes) as { bin: Uint8Array }).bin[0]).toBe(1);
  });

  it("keeps -0 everywhere a number can sit, without changing the caller's value", () => {
    const frozen = Object.freeze({ z: -0 });
    const value = { top: -0, list: [1, -0], map: new Map([["k", -0]]), frozen, cls: Object.assign(new Ghost(), { n: -0 }), err: new Error("e", { cause: -0 }) };
    const decoded = msgpackCodec.decode(msgpackCodec.encode(value)) as typeof value & { cls: Ghost & { n: number } };
    expect(Object.is(decoded.top, -0)).toBe(true);
    expect(Object.is(decoded.list[1], -0)).toBe(true);
    expect(Object.is(decoded.map.get("k"), -0)).toBe(true);
    expect(Object.is(decoded.frozen.z, -0)).toBe(true);
    expect(Object.is(decoded.cls.n, -0)).toBe(true);
    expect(decoded.cls).toBeInstanceOf(Ghost);
    expect(Object.is(decoded.err.cause, -0)).toBe(true);
    expect(Object.is(value.top, -0)).toBe(true); // the input is untouched
  });

  it("-0 with shared and cyclic references keeps identity", () => {
    const shared: Record<string, unknown> = { z: -0 };
    shared.self = shared;
    const decoded = msgpackCodec.decode(msgpackCodec.encode([shared, shared])) as Array<Record<string, unknown>>;
    expect(decoded[0]).toBe(decoded[1]);
    expect(decoded[0]!.self).toBe(decoded[0]);
    expect(Object.is(decoded[0]!.z, -0)).toBe(true);
  });

  it("0 and -0 encode differently (they are different values)", () => {
    expect(hex(msgpackCodec.encode(0))).not.toBe(hex(msgpackCodec.encode(-0)));
  });

  it("registered classes nest, sit in Map keys and Sets, and keep bigint/Map/Date fields", () => {
    const acc = new Account("ann");
    acc.balance = -(2n ** 90n);
    acc.history.set("open", new Date(1000));
    const value = { byOwner: new Map([[acc, "x"]]), all: new Set([acc]), acc };
    const decoded = msgpackCodec.decode(msgpackCodec.encode(value)) as typeof value;
    expect(decoded.acc).toBeInstanceOf(Account);
    expect(decoded.acc).toStrictEqual(acc);
    expect([...decoded.byOwner.keys()][0]).toBe(decoded.acc);
    expect([...decoded.all][0]).toBe(decoded.acc);
  });

  it("refuses a subclass of a registered class that is not registered itself", () => {
    class SpecialAccount extends Account {}
    expect(() => msgpackCodec.encode(new SpecialAccount("x"))).toThrow(/unregistered class SpecialAccount.*registerClass\(SpecialAccount\)/);
  });

  it("decoding an instance of a class not registered in this process is a CodecError naming the class", () => {
    const bytes = msgpackCodec.encode({ g: new Ghost() });
    const renamed = Buffer.from(hex(bytes).replace(Buffer.from("GhostA").toString("hex"), Buffer.from("GhostB").toString("hex")), "hex");
    expect(() => msgpackCodec.decode(renamed)).toThrow(CodecError);
    expect(() => msgpackCodec.decode(renamed)).toThrow(/class "GhostB".*registerClass\(GhostB\)/);
    const lenient = createMsgpackCodec({ unknownClasses: "plain" }).decode(renamed) as { g: Record<string, unknown> };
    expect(lenient.g).toStrictEqual({ "\u0000kvgit:class": "GhostB", boo: "!" });
  });

  it("refuses an object using the class tag as a key", () => {
    expect(() => msgpackCodec.encode({ "\u0000kvgit:class": "Account" })).toThrow(CodecError);
  });

  it("error messages name the path and say what to do", () => {
    expect(() => msgpackCodec.encode({ a: { b: [0, { fn() {} }] } })).toThrow(
      "the msgpack codec cannot encode a function (fn) at value.a.b[1].fn: functions cannot be stored",
    );
    expect(() => msgpackCodec.encode(new Map([["k", Symbol.iterator]]))).toThrow(/a symbol .* at value\.get\(<key #0>\)/);
    expect(() => msgpackCodec.encode(new Promise(() => {}))).toThrow(/a Promise: Promise values cannot be stored/);
    try {
      msgpackCodec.encode({ x: new (class Widget {})() });
    } catch (error) {
      expect(error).toBeInstanceOf(CodecError);
      expect((error as CodecError).data).toMatchObject({ codec: "msgpack", path: "value.x", type: "Widget" });
    }
  });

  it("refuses an Error that contains itself", () => {
    const e = new Error("loop") as Error & { cause?: unknown };
    e.cause = { e };
    expect(() => msgpackCodec.encode(e)).toThrow(/Error that contains itself/);
  });

  it("a value nested too deeply is a CodecError, not a stack overflow", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(() => msgpackCodec.encode(deep)).toThrow(CodecError);
  });

  it.each([
    ["empty input", []],
    ["truncated", [0x92, 0x01]],
    ["0xc1 (never used)", [0xc1]],
    ["pointer without target", [0xd6, 0x70, 0, 0, 0, 9]],
    ["trailing bytes", [0x01, 0x02]],
    ["unknown extension", [0xd4, 0x20, 0x00]],
    ["our -0 marker type", [0xd4, 74, 0x00]],
    ["deeply nested arrays", Array(100_000).fill(0x91)],
  ])("garbage bytes are a CodecError: %s", (_label, bytes) => {
    expect(() => msgpackCodec.decode(new Uint8Array(bytes as number[]))).toThrow(CodecError);
  });

  it("refuses to decode something that is not a Uint8Array", () => {
    expect(() => msgpackCodec.decode("abc" as never)).toThrow(CodecError);
  });

  it("reads from a Buffer, a Uint8Array and a view at an offset alike", () => {
    const bytes = msgpackCodec.encode({ k: [1, "two"] });
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 5);
    expect(msgpackCodec.decode(padded.subarray(5, 5 + bytes.length))).toStrictEqual({ k: [1, "two"] });
    expect(msgpackCodec.decode(Buffer.from(bytes))).toStrictEqual({ k: [1, "two"] });
    expect((padded as { dataView?: unknown }).dataView).toBeUndefined(); // the caller's array is not touched
  });
});

describe("msgpack decodesPlain", () => {
  it("is true exactly for values written on the plain (JSON-like) path", async () => {
    const { msgpackCodec: codec } = await import("../../src/codec/msgpack.ts");
    for (const v of [{ a: 1, b: ["x", null, true] }, [1, 2.5], "s", 3, null]) expect(codec.decodesPlain!(codec.encode(v))).toBe(true);
    const shared = { x: 1 };
    for (const v of [new Map([["a", 1]]), { d: new Date(0) }, [shared, shared], { u: undefined }, -0, 10n]) expect(codec.decodesPlain!(codec.encode(v))).toBe(false);
  });
});
