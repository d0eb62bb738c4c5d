/**
 * Plain JSON (UTF-8). Only values JSON holds faithfully are accepted; anything JSON.stringify
 * would silently drop or change is a `CodecError` instead:
 * - `undefined` at the top level or in an array, bigint, symbol, function, NaN and ±Infinity,
 *   Date (JSON would turn it into a string), Map, Set, RegExp, Error, binary, class instances,
 *   sparse arrays and cycles are rejected;
 * - an object property whose value is `undefined` is omitted (as JSON.stringify does);
 * - `-0` is written as `-0`, which JSON.parse reads back as -0;
 * - shared (non-cyclic) references are written once per occurrence: they decode as equal copies.
 */
import { CodecError } from "../errors.ts";
import type { Codec } from "./codec.ts";
import { constructorName, describeValue, pathStep } from "./describe.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function stringify(root: unknown): string {
  const path: string[] = [];
  const onPath = new Set<object>();

  const fail = (what: string, hint: string): never => {
    const where = path.length ? ` at value${path.join("")}` : "";
    throw new CodecError(`the json codec cannot encode ${what}${where}: ${hint}`, { codec: "json", path: `value${path.join("")}` });
  };

  const write = (v: unknown): string => {
    switch (typeof v) {
      case "string":
        return JSON.stringify(v);
      case "boolean":
        return v ? "true" : "false";
      case "number":
        if (!Number.isFinite(v)) return fail(String(v), "JSON has no NaN or Infinity; use the msgpack or superjson codec");
        return v === 0 && 1 / v < 0 ? "-0" : JSON.stringify(v);
      case "undefined":
        return fail("undefined", "JSON has no undefined (only object properties holding undefined are dropped); use null");
      case "bigint":
        return fail("a bigint", "JSON has no bigint; store a string or use the msgpack or superjson codec");
      case "symbol":
      case "function":
        return fail(describeValue(v), "it is not data");
    }
    if (v === null) return "null";
    const obj = v as object;
    if (onPath.has(obj)) fail("a cyclic reference", "JSON cannot hold cycles; use the msgpack or superjson codec");
    const proto = Object.getPrototypeOf(obj) as object | null;
    onPath.add(obj);
    let out: string;
    if (proto === Array.prototype) {
      const arr = obj as unknown[];
      const parts: string[] = [];
      for (let i = 0; i < arr.length; i++) {
        path.push(`[${i}]`);
        if (!(i in arr)) fail("a sparse array (a hole)", "JSON would turn the hole into null; fill it");
        parts.push(write(arr[i]));
        path.pop();
      }
      out = `[${parts.join(",")}]`;
    } else if (proto === Object.prototype || proto === null) {
      const parts: string[] = [];
      for (const key of Object.keys(obj)) {
        const item = (obj as Record<string, unknown>)[key];
        if (item === undefined) continue;
        path.push(pathStep(key));
        parts.push(`${JSON.stringify(key)}:${write(item)}`);
        path.pop();
      }
      out = `{${parts.join(",")}}`;
    } else if (obj instanceof Date) {
      return fail("a Date", "JSON would store it as a string; store date.toISOString() or use the msgpack or superjson codec");
    } else {
      const ctor = constructorName(obj) ?? "object";
      return fail(describeValue(obj), `JSON holds only plain objects, arrays, strings, finite numbers, booleans and null (${ctor} is none of them); use the msgpack or superjson codec`);
    }
    onPath.delete(obj);
    return out;
  };

  try {
    return write(root);
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw new CodecError("the json codec cannot encode the value: it is nested too deeply", { codec: "json" }, { cause: error });
    }
    throw error;
  }
}

export const jsonCodec: Codec = {
  name: "json",
  encode(value: unknown): Uint8Array {
    return encoder.encode(stringify(value));
  },
  decode(bytes: Uint8Array): unknown {
    if (!(bytes instanceof Uint8Array)) {
      throw new CodecError(`the json codec can only decode a Uint8Array, got ${typeof bytes}`, { codec: "json" });
    }
    try {
      return JSON.parse(decoder.decode(bytes));
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new CodecError(`the json codec cannot decode these ${bytes.length} bytes: not UTF-8 JSON (${detail})`, { codec: "json" }, { cause: error });
    }
  },
};
