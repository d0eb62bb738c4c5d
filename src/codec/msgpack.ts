/**
 * The default codec: MessagePack through msgpackr with structured cloning.
 *
 * Determinism: every `encode` call is self-contained. Object shapes are written as msgpackr
 * records defined inside the message itself (no `structures` shared between calls, no
 * `sequential` mode, no bundled strings), so the bytes depend only on the value: the same
 * value gives the same bytes in every call, every Packr instance and every process.
 */
import { addExtension, C1, Packr, Unpackr, type Options } from "msgpackr";
import { CodecError } from "../errors.ts";
import { getRegisteredClass, onClassRegistered, registerHint, registeredNameOf } from "./class-registry.ts";
import type { Codec } from "./codec.ts";
import { CLASS_MARK, inspectValue } from "./inspect.ts";

/** msgpack extension type codes kvgit claims (application range 1..100). */
const CLASS_EXT = 75; // 'K': a registered class instance
const NEG_ZERO_EXT = 74; // never appears in bytes: -0 is written as a plain float64

const packrOptions: Options = {
  structuredClone: true, // shared and cyclic references, Set/Map/Error/RegExp/typed arrays
  moreTypes: true,
  useRecords: true, // objects as in-message records, so Maps stay distinguishable from objects
  maxSharedStructures: 0,
  sequential: false,
  bundleStrings: false,
  useToJSON: false, // store an object's data, not its toJSON() view
  useBigIntExtension: true, // bigints beyond 64 bits
  useTimestamp32: false,
  encodeUndefinedAsNil: false,
};
const unpackrOptions: Options = {
  structuredClone: true,
  moreTypes: true,
  mapsAsObjects: false,
  copyBuffers: true, // decoded binary must not alias the stored bytes
  int64AsType: "bigint",
};

/** Stands in for a -0 inside a copy of the value: msgpackr alone writes -0 as integer 0. */
class NegativeZero {}

let extensionsInstalled = false;
let sawClassInstance = false;

function installExtensions(): void {
  if (extensionsInstalled) return;
  extensionsInstalled = true;
  addExtension({
    Class: NegativeZero,
    type: NEG_ZERO_EXT,
    pack(_value: unknown, allocateForWrite: (size: number) => { target: Uint8Array; targetView: DataView; position: number }) {
      const { target, targetView, position } = allocateForWrite(9);
      target[position] = 0xcb; // standard msgpack float64, which every decoder reads back as -0
      targetView.setFloat64(position + 1, -0);
    },
    unpack() {
      throw new Error(`unexpected msgpack extension ${NEG_ZERO_EXT}`);
    },
  } as never);
  onClassRegistered((Class) => {
    addExtension({
      Class,
      type: CLASS_EXT,
      write(instance: object) {
        const name = registeredNameOf(instance);
        // a subclass of a registered class reaches here through instanceof; inspectValue rejects it first
        if (name === undefined) throw new Error("unregistered subclass");
        return { [CLASS_MARK]: name, ...instance };
      },
      read(data: unknown) {
        // revived after the whole value is decoded: a cycle through the instance is first
        // decoded into a placeholder object, which must be revived in place as well
        sawClassInstance = true;
        return data;
      },
    });
  });
}

export interface MsgpackCodecOptions {
  /**
   * What decoding does with an instance of a class that is not registered in this process:
   * `"error"` (default) throws a `CodecError`; `"plain"` returns a plain object holding its
   * fields plus the class name under the key `"\u0000kvgit:class"` (for inspection tools).
   */
  unknownClasses?: "error" | "plain";
}

/** Creates a msgpack codec with its own Packr/Unpackr (bytes are identical to any other instance). */
export function createMsgpackCodec(options: MsgpackCodecOptions = {}): Codec {
  installExtensions();
  const packr = new Packr({ ...packrOptions });
  const unpackr = new Unpackr({ ...unpackrOptions });
  const lenient = options.unknownClasses === "plain";

  return {
    name: "msgpack",
    decodesPlain: (bytes: Uint8Array) => bytes[0] === PLAIN_MARK,
    encode(value: unknown): Uint8Array {
      const { negativeZero, plain } = inspectValue(value, "msgpack");
      if (plain) return packPlain(value);
      let packed: Uint8Array;
      try {
        packed = packr.pack(negativeZero ? replaceNegativeZero(value, new Map()) : value);
      } catch (error) {
        throw new CodecError(`the msgpack codec failed to encode the value: ${errorMessage(error)}`, { codec: "msgpack" }, { cause: error });
      }
      return new Uint8Array(packed); // a fresh, exact-size copy: msgpackr returns a view into a shared buffer
    },
    decode(bytes: Uint8Array): unknown {
      if (!(bytes instanceof Uint8Array)) {
        throw new CodecError(`the msgpack codec can only decode a Uint8Array, got ${typeof bytes}`, { codec: "msgpack" });
      }
      if (bytes.length === 0) throw new CodecError("the msgpack codec cannot decode 0 bytes", { codec: "msgpack" });
      if (bytes[0] === PLAIN_MARK) return unpackPlain(bytes);
      // a fresh Buffer view: binary comes back as Buffer, and msgpackr caches a DataView on its input
      const source = typeof Buffer === "function" ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
      sawClassInstance = false;
      let value: unknown;
      try {
        value = unpackr.unpack(source);
      } catch (error) {
        throw new CodecError(
          `the msgpack codec cannot decode these ${bytes.length} bytes (not kvgit msgpack data, or corrupt): ${errorMessage(error)}`,
          { codec: "msgpack" },
          { cause: error },
        );
      }
      if (value === C1) {
        // 0xc1 is "never used" in MessagePack; msgpackr hands back a marker object for it
        throw new CodecError("the msgpack codec cannot decode these bytes: 0xc1 is not valid MessagePack", { codec: "msgpack" });
      }
      if (sawClassInstance) {
        sawClassInstance = false;
        try {
          reviveClasses(value, new Set(), lenient);
        } catch (error) {
          if (error instanceof CodecError) throw error;
          throw new CodecError(`the msgpack codec cannot decode these bytes: ${errorMessage(error)}`, { codec: "msgpack" }, { cause: error });
        }
      }
      return value;
    },
  };
}

/*
 * Fast path for JSON-like values (see InspectResult.plain): the byte 0xc1, which MessagePack
 * never uses, then plain MessagePack (maps as maps, no records, no reference tracking).
 * Structured cloning costs 3-5x more per call and buys nothing for such values. Which path
 * a value takes depends only on the value, so encoding stays deterministic.
 */
const PLAIN_MARK = 0xc1;
const plainPackr = new Packr({ useRecords: false, moreTypes: false, bundleStrings: false, sequential: false, useToJSON: false, variableMapSize: true } as Options);
const plainUnpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, moreTypes: false } as Options);

function packPlain(value: unknown): Uint8Array {
  let packed: Uint8Array;
  try {
    packed = plainPackr.pack(value);
  } catch (error) {
    throw new CodecError(`the msgpack codec failed to encode the value: ${errorMessage(error)}`, { codec: "msgpack" }, { cause: error });
  }
  const out = new Uint8Array(packed.length + 1);
  out[0] = PLAIN_MARK;
  out.set(packed, 1);
  return out;
}

/**
 * msgpackr attaches a DataView to every new input array, which costs more than decoding a
 * small value. Plain values hold no binary data (nothing in the result aliases the input),
 * so they are decoded from one reused scratch buffer whose DataView is made once.
 */
let scratch = new Uint8Array(4096);
/** msgpackr reads `start` and `end` as the call begins, so one object serves every call. */
const scratchRange = { start: 1, end: 0 };
function unpackPlain(bytes: Uint8Array): unknown {
  if (bytes.length > scratch.length) scratch = new Uint8Array(Math.max(bytes.length, scratch.length * 2));
  scratch.set(bytes); // the marker byte too: copying all of it needs no subarray view
  scratchRange.end = bytes.length;
  let value: unknown;
  try {
    value = plainUnpackr.unpack(scratch, scratchRange as never);
  } catch (error) {
    throw new CodecError(`the msgpack codec cannot decode these ${bytes.length} bytes (corrupt plain value): ${errorMessage(error)}`, { codec: "msgpack" }, { cause: error });
  }
  if (value === C1 || (value !== null && typeof value === "object" && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype)) {
    throw new CodecError("the msgpack codec cannot decode these bytes: not a plain value after the plain-value marker", { codec: "msgpack" });
  }
  return value;
}

/** The default codec (see `createMsgpackCodec`). */
export const msgpackCodec: Codec = createMsgpackCodec();

/** A copy of the value with every -0 replaced by a marker; shared and cyclic references kept. */
function replaceNegativeZero(value: unknown, copies: Map<object, unknown>): unknown {
  if (typeof value === "number") return value === 0 && 1 / value < 0 ? new NegativeZero() : value;
  if (typeof value !== "object" || value === null) return value;
  const done = copies.get(value);
  if (done !== undefined) return done;
  const proto = Object.getPrototypeOf(value) as object | null;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    copies.set(value, out);
    for (let i = 0; i < value.length; i++) out.push(replaceNegativeZero(value[i], copies));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map();
    copies.set(value, out);
    for (const [k, v] of value) out.set(replaceNegativeZero(k, copies), replaceNegativeZero(v, copies));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    copies.set(value, out);
    for (const v of value) out.add(replaceNegativeZero(v, copies));
    return out;
  }
  if (value instanceof Error) {
    const out = Object.create(proto) as Record<string, unknown>;
    copies.set(value, out);
    for (const key of Reflect.ownKeys(value)) {
      const d = Object.getOwnPropertyDescriptor(value, key)!;
      if ("value" in d && (key === "cause" || key === "errors")) d.value = replaceNegativeZero(d.value, copies);
      Object.defineProperty(out, key, d);
    }
    return out;
  }
  if (proto === Object.prototype || proto === null || registeredNameOf(value) !== undefined) {
    const out = Object.create(proto) as Record<string, unknown>;
    copies.set(value, out);
    for (const key of Object.keys(value)) out[key] = replaceNegativeZero((value as Record<string, unknown>)[key], copies);
    return out;
  }
  return value; // Date, RegExp, binary: no JS numbers inside
}

/** Turns the tagged plain objects a decode produced back into class instances, in place. */
function reviveClasses(value: unknown, visited: Set<object>, lenient: boolean): void {
  if (typeof value !== "object" || value === null || visited.has(value)) return;
  visited.add(value);
  if (Array.isArray(value)) {
    for (const item of value) reviveClasses(item, visited, lenient);
    return;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      reviveClasses(k, visited, lenient);
      reviveClasses(v, visited, lenient);
    }
    return;
  }
  if (value instanceof Set) {
    for (const item of value) reviveClasses(item, visited, lenient);
    return;
  }
  if (value instanceof Error) {
    reviveClasses((value as { cause?: unknown }).cause, visited, lenient);
    if (typeof AggregateError === "function" && value instanceof AggregateError) reviveClasses(value.errors, visited, lenient);
    return;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) reviveClasses(record[key], visited, lenient);
  if (!Object.prototype.hasOwnProperty.call(record, CLASS_MARK)) return;
  const name = record[CLASS_MARK];
  const Class = typeof name === "string" ? getRegisteredClass(name) : undefined;
  if (Class === undefined) {
    if (lenient) return;
    throw new CodecError(
      `the msgpack codec cannot decode an instance of class ${JSON.stringify(name)}: it is not registered in this process; ` +
        registerHint(String(name)),
      { codec: "msgpack", type: String(name) },
    );
  }
  delete record[CLASS_MARK];
  Object.setPrototypeOf(record, Class.prototype as object);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
