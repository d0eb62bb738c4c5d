/**
 * JSON-readable storage: the UTF-8 bytes of superjson's `{ json, meta }` form. Uses a private
 * SuperJSON instance (the user's global superjson registrations are not affected) that knows
 * every class registered with `registerClass` and stores binary data as base64.
 */
import { SuperJSON } from "superjson";
import { CodecError } from "../errors.ts";
import { onClassRegistered, registerHint } from "./class-registry.ts";
import type { Codec } from "./codec.ts";
import { inspectValue } from "./inspect.ts";

const instance = new SuperJSON();
onClassRegistered((Class, name) => instance.registerClass(Class as never, name));

type Binary = ArrayBufferView | ArrayBuffer;
const binaryTypes: Record<string, (buffer: ArrayBuffer) => Binary> = {
  ArrayBuffer: (b) => b,
  DataView: (b) => new DataView(b),
  Buffer: (b) => Buffer.from(b),
  Int8Array: (b) => new Int8Array(b),
  Uint8Array: (b) => new Uint8Array(b),
  Uint8ClampedArray: (b) => new Uint8ClampedArray(b),
  Int16Array: (b) => new Int16Array(b),
  Uint16Array: (b) => new Uint16Array(b),
  Int32Array: (b) => new Int32Array(b),
  Uint32Array: (b) => new Uint32Array(b),
  Float32Array: (b) => new Float32Array(b),
  Float64Array: (b) => new Float64Array(b),
  BigInt64Array: (b) => new BigInt64Array(b),
  BigUint64Array: (b) => new BigUint64Array(b),
};

function binaryTypeName(v: unknown): string | undefined {
  if (typeof Buffer === "function" && Buffer.isBuffer(v)) return "Buffer";
  if (v instanceof ArrayBuffer) return "ArrayBuffer";
  if (ArrayBuffer.isView(v)) {
    const name = (v as { constructor: { name: string } }).constructor.name;
    return name in binaryTypes ? name : undefined;
  }
  return undefined;
}

// superjson's own typed-array rule writes numbers (NaN and -0 in float arrays are lost, and
// bigint arrays fail); raw bytes in base64 are exact. Byte order is the platform's (little-endian).
instance.registerCustom<Binary, { type: string; base64: string }>(
  {
    isApplicable: (v): v is Binary => binaryTypeName(v) !== undefined,
    serialize: (v) => {
      const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      return { type: binaryTypeName(v)!, base64: Buffer.from(bytes).toString("base64") };
    },
    deserialize: ({ type, base64 }) => {
      const make = binaryTypes[type];
      if (!make) throw new Error(`unknown binary type ${JSON.stringify(type)}`);
      const bytes = Buffer.from(base64, "base64");
      const copy = new ArrayBuffer(bytes.byteLength);
      new Uint8Array(copy).set(bytes);
      return make(copy);
    },
  },
  "kvgit:binary",
);

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export const superjsonCodec: Codec = {
  name: "superjson",
  encode(value: unknown): Uint8Array {
    inspectValue(value, "superjson");
    let text: string;
    try {
      text = JSON.stringify(instance.serialize(value as never));
    } catch (error) {
      throw new CodecError(`the superjson codec failed to encode the value: ${errorMessage(error)}`, { codec: "superjson" }, { cause: error });
    }
    return encoder.encode(text);
  },
  decode(bytes: Uint8Array): unknown {
    if (!(bytes instanceof Uint8Array)) {
      throw new CodecError(`the superjson codec can only decode a Uint8Array, got ${typeof bytes}`, { codec: "superjson" });
    }
    let payload: unknown;
    let text: string;
    try {
      text = decoder.decode(bytes);
      payload = JSON.parse(text);
    } catch (error) {
      throw new CodecError(`the superjson codec cannot decode these ${bytes.length} bytes: not UTF-8 JSON (${errorMessage(error)})`, {
        codec: "superjson",
      }, { cause: error });
    }
    if (
      typeof payload !== "object" || payload === null || Array.isArray(payload) || !("json" in payload) ||
      ("meta" in payload && (typeof payload.meta !== "object" || payload.meta === null))
    ) {
      throw new CodecError("the superjson codec cannot decode these bytes: JSON, but not superjson's { json, meta } form", {
        codec: "superjson",
      });
    }
    try {
      const value: unknown = instance.deserialize(payload as never, { inPlace: true });
      if (text.includes('"Error"')) dropUndefinedErrorCauses(value, new Set());
      return value;
    } catch (error) {
      const unknownClass = /unknown class '([^']*)'/.exec(errorMessage(error));
      if (unknownClass) {
        const name = unknownClass[1]!;
        throw new CodecError(
          `the superjson codec cannot decode an instance of class ${JSON.stringify(name)}: it is not registered in this process; ${registerHint(name)}`,
          { codec: "superjson", type: name },
          { cause: error },
        );
      }
      throw new CodecError(`the superjson codec cannot decode these bytes (corrupt superjson data): ${errorMessage(error)}`, {
        codec: "superjson",
      }, { cause: error });
    }
  },
};

/**
 * superjson rebuilds every Error with `{ cause }` even when there was none, which would add a
 * `cause` field on the next encode; an undefined cause is dropped so bytes stay stable.
 */
function dropUndefinedErrorCauses(value: unknown, visited: Set<object>): void {
  if (typeof value !== "object" || value === null || visited.has(value)) return;
  visited.add(value);
  if (value instanceof Error) {
    const e = value as Error & { cause?: unknown; stack?: string };
    if (Object.prototype.hasOwnProperty.call(e, "cause") && e.cause === undefined) delete e.cause;
    else dropUndefinedErrorCauses(e.cause, visited);
    return;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      dropUndefinedErrorCauses(k, visited);
      dropUndefinedErrorCauses(v, visited);
    }
    return;
  }
  const items = value instanceof Set || Array.isArray(value) ? value : Object.values(value);
  for (const item of items) dropUndefinedErrorCauses(item, visited);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
