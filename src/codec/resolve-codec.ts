import type { Codec } from "./codec.ts";
import { bytesCodec } from "./bytes.ts";
import { jsonCodec } from "./json.ts";
import { msgpackCodec } from "./msgpack.ts";
import { superjsonCodec } from "./superjson.ts";
import { withKey } from "./describe.ts";
import { CodecError } from "../errors.ts";

export type CodecName = "msgpack" | "superjson" | "json" | "bytes";
export type CodecSpec = CodecName | Codec;

export const codecNames: readonly CodecName[] = Object.freeze(["msgpack", "superjson", "json", "bytes"]);

const builtins: Record<CodecName, Codec> = {
  msgpack: msgpackCodec,
  superjson: superjsonCodec,
  json: jsonCodec,
  bytes: bytesCodec,
};

/**
 * The codec for the `codec` option: a built-in name or a `Codec` object (returned as is).
 * `undefined` gives the default, msgpack. Anything else is a `TypeError` naming the option.
 */
export function resolveCodec(spec: CodecSpec | undefined = "msgpack"): Codec {
  if (typeof spec === "string") {
    if (Object.prototype.hasOwnProperty.call(builtins, spec)) return builtins[spec as CodecName];
    throw new TypeError(`codec option: unknown codec ${JSON.stringify(spec)}; use one of ${codecNames.map((n) => `"${n}"`).join(", ")} or a Codec object`);
  }
  if (typeof spec === "object" && spec !== null) {
    const c = spec as Partial<Codec>;
    const problems: string[] = [];
    if (typeof c.name !== "string" || c.name.length === 0) problems.push("a non-empty string name");
    if (typeof c.encode !== "function") problems.push("an encode(value) function");
    if (typeof c.decode !== "function") problems.push("a decode(bytes) function");
    if (problems.length === 0) return spec;
    throw new TypeError(`codec option: a Codec object needs ${problems.join(", ")}`);
  }
  throw new TypeError(
    `codec option must be ${codecNames.map((n) => `"${n}"`).join(", ")} or a Codec object { name, encode, decode }; got ${spec === null ? "null" : typeof spec}`,
  );
}

/**
 * Encodes with any codec and reports every failure as a `CodecError` naming `key` (custom
 * codecs that throw something else, or return something that is not a Uint8Array, included).
 */
export function encodeValue(codec: Codec, value: unknown, key?: string): Uint8Array {
  let bytes: unknown;
  try {
    bytes = codec.encode(value);
  } catch (error) {
    throw key === undefined ? asCodecError(error, codec.name, "encode") : withKey(error, key, codec.name);
  }
  if (!(bytes instanceof Uint8Array)) {
    const error = new CodecError(`codec ${JSON.stringify(codec.name)} returned ${typeof bytes} from encode instead of a Uint8Array`, {
      codec: codec.name,
    });
    throw key === undefined ? error : withKey(error, key);
  }
  return bytes;
}

/** Decodes with any codec and reports every failure as a `CodecError` naming `key`. */
export function decodeValue(codec: Codec, bytes: Uint8Array, key?: string): unknown {
  try {
    return codec.decode(bytes);
  } catch (error) {
    throw key === undefined ? asCodecError(error, codec.name, "decode") : withKey(error, key, codec.name);
  }
}

function asCodecError(error: unknown, codecName: string, op: string): CodecError {
  if (error instanceof CodecError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CodecError(`codec ${JSON.stringify(codecName)} failed to ${op}: ${message}`, { codec: codecName }, { cause: error });
}
