import { describe, expect, it } from "vitest";
import { NotSupportedError } from "../../src/errors.ts";
import {
  appendLog, assertContentType, builtinContentType, builtinContentTypeNames, counter, getRegisteredContentType, hasContentType,
  jsonValue, lastWriterWins, max, min, registerContentType, registeredContentTypeNames, setUnion, unregisterContentType,
  type ContentType,
} from "../../src/merge/index.ts";

describe("content type registry", () => {
  it("has every built-in registered under its stable name", () => {
    expect(builtinContentTypeNames).toEqual(["append-log", "counter", "json", "lww", "max", "min", "set-union"]);
    const byName: Record<string, ContentType> = {
      counter: counter(), lww: lastWriterWins(), json: jsonValue(), "set-union": setUnion(), max: max(), min: min(), "append-log": appendLog(),
    };
    for (const [name, ct] of Object.entries(byName)) {
      expect(ct.name).toBe(name);
      expect(getRegisteredContentType(name)).toBe(ct);
      expect(builtinContentType(name)).toBe(ct); // recreated from its name
      expect(hasContentType(name)).toBe(true);
    }
    expect(builtinContentType("nope")).toBeUndefined();
    expect(builtinContentType("toString")).toBeUndefined();
  });

  it("finds a registered custom type by name", () => {
    const longest: ContentType<string> = { name: "test:longest", merge: (_b, o, t) => ((o ?? "").length >= (t ?? "").length ? o! : t!) };
    expect(registerContentType(longest)).toBe(longest);
    expect(registerContentType(longest)).toBe(longest); // same object again: fine
    expect(getRegisteredContentType("test:longest")).toBe(longest);
    expect(registeredContentTypeNames()).toContain("test:longest");
    expect(unregisterContentType("test:longest")).toBe(true);
    expect(hasContentType("test:longest")).toBe(false);
  });

  it("an unregistered name is a NotSupportedError telling to call registerContentType", () => {
    expect(() => getRegisteredContentType("json:mine")).toThrow(NotSupportedError);
    try {
      getRegisteredContentType("json:mine");
    } catch (error) {
      const e = error as NotSupportedError;
      expect(e.code).toBe("NOT_SUPPORTED");
      expect(e.message).toMatch(/content type "json:mine" is not registered in this process.*registerContentType\(ct\)/);
      expect(e.data).toEqual({ contentType: "json:mine" });
    }
  });

  it("refuses a second type under a taken name unless replace is set", () => {
    const a: ContentType = { name: "test:dup", merge: (_b, o) => o };
    const b: ContentType = { name: "test:dup", merge: (_b, _o, t) => t };
    registerContentType(a);
    expect(() => registerContentType(b)).toThrow(/already registered as "test:dup"/);
    expect(registerContentType(b, { replace: true })).toBe(b);
    expect(getRegisteredContentType("test:dup")).toBe(b);
    unregisterContentType("test:dup");
  });

  it("protects built-in names", () => {
    expect(() => registerContentType({ name: "counter", merge: (_b, o) => o })).toThrow(/built-in content type name/);
    expect(() => registerContentType({ name: "lww", merge: (_b, o) => o }, { replace: true })).toThrow(TypeError);
    expect(registerContentType(counter())).toBe(counter());
    expect(unregisterContentType("counter")).toBe(false);
    expect(getRegisteredContentType("counter")).toBe(counter());
  });

  it("a jsonValue with a custom merge is found once registered", () => {
    const ct = jsonValue(function preferOurs(_b, o) { return o!; });
    expect(() => getRegisteredContentType(ct.name)).toThrow(NotSupportedError);
    registerContentType(ct);
    expect(getRegisteredContentType("json:preferOurs")).toBe(ct);
  });

  it.each([
    ["null", null],
    ["no name", { merge: (): number => 0 }],
    ["empty name", { name: "", merge: (): number => 0 }],
    ["no merge", { name: "x" }],
    ["encode without decode", { name: "x", merge: (): number => 0, encode: () => new Uint8Array() }],
    ["encode not a function", { name: "x", merge: (): number => 0, encode: 1, decode: () => 0 }],
  ])("rejects a malformed content type (%s) with a TypeError", (_label, ct) => {
    expect(() => registerContentType(ct as never)).toThrow(TypeError);
    expect(() => assertContentType(ct, "ct")).toThrow(/^ct/);
  });
});
