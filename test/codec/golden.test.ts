/**
 * Pins the exact bytes of a few values. A failure here means the stored format changed:
 * existing stores would no longer dedupe equal values (or read them), so a change must be
 * deliberate and come with a format version bump.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createMsgpackCodec, msgpackCodec, superjsonCodec } from "../../src/codec/index.ts";
import { goldenValues } from "./fixtures/golden-values.ts";

const golden: Record<string, { msgpack: string; superjson: string }> = {
  object: {
    msgpack: "c183a16201a161a178a66e657374656481a46c6973749401cb4004000000000000c3c0",
    superjson: '{"json":{"b":1,"a":"x","nested":{"list":[1,2.5,true,null]}}}',
  },
  negativeZero: { msgpack: "cb8000000000000000", superjson: '{"json":"-0","meta":{"values":["number"],"v":1}}' },
  specialNumbers: {
    msgpack: "c194cb7ff8000000000000cb7ff0000000000000cbfff0000000000000cb4340000000000000",
    superjson: '{"json":["NaN","Infinity","-Infinity",9007199254740992],"meta":{"values":{"0":["number"],"1":["number"],"2":["number"]},"v":1}}',
  },
  bigints: {
    msgpack: "93d30000000000000005d842ffffffffffffffc00000000000000000cfffffffffffffffff",
    superjson: '{"json":["5","-1180591620717411303424","18446744073709551615"],"meta":{"values":{"0":["bigint"],"1":["bigint"],"2":["bigint"]},"v":1}}',
  },
  date: { msgpack: "d7ffa1a5d60065937d25", superjson: '{"json":"2024-01-02T03:04:05.678Z","meta":{"values":["Date"],"v":1}}' },
  map: { msgpack: "82a16b01d4724091a16f01a176", superjson: '{"json":[["k",1],[{"o":1},"v"]],"meta":{"values":["map"],"v":1}}' },
  set: { msgpack: "d4730092a162a161", superjson: '{"json":["b","a"],"meta":{"values":["set"],"v":1}}' },
  regexp: { msgpack: "d4780092a461622b63a26769", superjson: '{"json":"/ab+c/gi","meta":{"values":["regexp"],"v":1}}' },
  error: {
    msgpack: "d4650093a9547970654572726f72a4626f6f6dd40000",
    superjson: '{"json":{"name":"TypeError","message":"boom"},"meta":{"values":["Error"],"v":1}}',
  },
  typed: {
    msgpack: "93c70374010102c7097408000000000000e03fc7097409ffffffffffffffff",
    superjson:
      '{"json":[{"type":"Uint8Array","base64":"AQI="},{"type":"Float64Array","base64":"AAAAAAAA4D8="},{"type":"BigInt64Array","base64":"//////////8="}],"meta":{"values":{"0":[["custom","kvgit:binary"]],"1":[["custom","kvgit:binary"]],"2":[["custom","kvgit:binary"]]},"v":1}}',
  },
  undefinedInside: {
    msgpack: "d4724092a175a46c697374d4000091d40000",
    superjson: '{"json":{"u":null,"list":[null]},"meta":{"values":{"u":["undefined"],"list.0":["undefined"]},"v":1}}',
  },
  shared: {
    msgpack: "92d66900000001d4724091a2696401d67000000001",
    superjson: '{"json":[{"id":1},{"id":1}],"meta":{"referentialEqualities":{"0":["1"]},"v":1}}',
  },
  cyclic: {
    msgpack: "d66900000001d4724092a46e616d65a473656c66a46c6f6f70d67000000001",
    superjson: '{"json":{"name":"loop","self":null},"meta":{"referentialEqualities":[["self"]],"v":1}}',
  },
  registeredClass: {
    msgpack: "d44b00d4724093ac006b766769743a636c617373a178a179ab476f6c64656e506f696e740102",
    superjson: '{"json":{"x":1,"y":2},"meta":{"values":[["class","GoldenPoint"]],"v":1}}',
  },
  unicode: { msgpack: "c1af68c3a96c6c6f20e29c9320f09f9880", superjson: '{"json":"héllo ✓ 😀"}' },
};

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("golden bytes", () => {
  const values = goldenValues();

  it("covers every golden value", () => {
    expect(Object.keys(golden).sort()).toEqual(Object.keys(values).sort());
  });

  for (const [name, value] of Object.entries(values)) {
    it(`msgpack: ${name}`, () => {
      expect(hex(msgpackCodec.encode(value))).toBe(golden[name]!.msgpack);
      expect(hex(createMsgpackCodec().encode(value))).toBe(golden[name]!.msgpack);
    });
    it(`superjson: ${name}`, () => {
      expect(Buffer.from(superjsonCodec.encode(value)).toString("utf8")).toBe(golden[name]!.superjson);
    });
    it(`decodes the pinned bytes: ${name}`, () => {
      const fromMsgpack = msgpackCodec.decode(Buffer.from(golden[name]!.msgpack, "hex"));
      expect(hex(msgpackCodec.encode(fromMsgpack))).toBe(golden[name]!.msgpack);
      const fromSuperjson = superjsonCodec.decode(new TextEncoder().encode(golden[name]!.superjson));
      expect(Buffer.from(superjsonCodec.encode(fromSuperjson)).toString("utf8")).toBe(golden[name]!.superjson);
    });
  }

  it("another process encodes the same bytes", () => {
    const script = fileURLToPath(new URL("./fixtures/print-hex.ts", import.meta.url));
    const out = execFileSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8" });
    const fromChild = JSON.parse(out) as typeof golden;
    expect(fromChild).toEqual(golden);
  });
});
