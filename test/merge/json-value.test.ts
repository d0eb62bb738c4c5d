import { describe, expect, it } from "vitest";
import { CodecError } from "../../src/errors.ts";
import { DELETE, jsonThreeWayMerge, jsonValue, type MergeFn } from "../../src/merge/index.ts";

const ctx = { key: "profile" };
const merge = jsonValue().merge;

describe("jsonValue()", () => {
  it("is named json and stores JSON with its own codec", () => {
    const ct = jsonValue();
    expect(ct.name).toBe("json");
    expect(new TextDecoder().decode(ct.encode!({ a: [1, "x"] }))).toBe('{"a":[1,"x"]}');
    expect(ct.decode!(ct.encode!({ a: 1 }))).toEqual({ a: 1 });
    expect(() => ct.encode!({ d: new Date() } as never)).toThrow(CodecError);
  });

  it("merges objects key by key, recursively", () => {
    const base = { name: "ann", prefs: { theme: "dark", lang: "en" }, tags: ["a"] };
    const ours = { name: "ann", prefs: { theme: "light", lang: "en" }, tags: ["a"], extra: 1 };
    const theirs = { name: "Ann", prefs: { theme: "dark", lang: "fr" }, tags: ["a"] };
    expect(merge(base, ours, theirs, ctx)).toStrictEqual({ name: "Ann", prefs: { theme: "light", lang: "fr" }, tags: ["a"], extra: 1 });
  });

  it("takes the changed side, and identical changes", () => {
    expect(merge({ a: 1 }, { a: 1 }, { a: 2 }, ctx)).toEqual({ a: 2 });
    expect(merge({ a: 1 }, { a: 3 }, { a: 3 }, ctx)).toEqual({ a: 3 });
    expect(merge(1, 1, 2, ctx)).toBe(2);
  });

  it("applies a removal of a key made on one side", () => {
    expect(merge({ a: 1, b: 2 }, { a: 1 }, { a: 1, b: 2, c: 3 }, ctx)).toStrictEqual({ a: 1, c: 3 });
  });

  it("removes the whole value when one side removed it and the other left it", () => {
    expect(merge({ a: 1 }, undefined, { a: 1 }, ctx)).toBe(DELETE);
    expect(merge({ a: 1 }, undefined, undefined, ctx)).toBe(DELETE);
  });

  it("merges objects both sides created (absent base)", () => {
    expect(merge(undefined, { a: 1 }, { b: 2 }, ctx)).toStrictEqual({ b: 2, a: 1 });
  });

  it("throws a clear Error, naming the path, when both sides changed something differently", () => {
    expect(() => merge({ p: { t: "dark" } }, { p: { t: "light" } }, { p: { t: "blue" } }, ctx)).toThrow(
      'json merge of key "profile": both sides changed value.p.t differently (base "dark", ours "light", theirs "blue")',
    );
    expect(() => merge([1], [1, 2], [1, 3], ctx)).toThrow(/both sides changed the value differently/); // arrays are values
    expect(() => merge({ a: 1 }, { a: 2 }, undefined, ctx)).toThrow(/ours \{"a":2\}, theirs \(removed\)/); // change vs removal
    expect(() => merge({ a: 1 }, { a: 2 }, "x", ctx)).toThrow(Error);
  });

  it("keeps a __proto__ key as data", () => {
    const base = JSON.parse('{"__proto__": {"x": 1}}');
    const ours = JSON.parse('{"__proto__": {"x": 1, "y": 2}}');
    const theirs = JSON.parse('{"__proto__": {"x": 1}, "z": 3}');
    const out = merge(base, ours, theirs, ctx) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(out, "__proto__")).toBe(true);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"x":1,"y":2},"z":3}');
  });

  it("is exported as jsonThreeWayMerge", () => {
    expect(jsonValue().merge).toBe(jsonThreeWayMerge);
  });

  it("uses a given merge function and names the type after it", () => {
    const preferLonger: MergeFn<string> = (_b, o, t) => ((o ?? "").length >= (t ?? "").length ? o! : t!);
    const ct = jsonValue(preferLonger);
    expect(ct.name).toBe("json:preferLonger");
    expect(ct.merge("", "abc", "de", ctx)).toBe("abc");
    expect(ct.encode).toBe(jsonValue().encode);
    expect(jsonValue(preferLonger, "json:longest").name).toBe("json:longest");
  });

  it("needs a name for an anonymous merge function, and keeps json for the default", () => {
    expect(() => jsonValue((_b, o) => o!)).toThrow(/anonymous; pass a name/);
    expect(() => jsonValue(function named(_b, o) { return o!; }, "json")).toThrow(TypeError);
    expect(() => jsonValue(undefined, "other")).toThrow(TypeError);
    expect(() => jsonValue("x" as never)).toThrow(TypeError);
  });
});
