/**
 * Raw bytes: a `Uint8Array` (a Node `Buffer` is one) is stored verbatim. Encode and decode
 * copy, so later changes to the caller's array never reach the stored bytes and vice versa.
 * Decoding always gives a plain `Uint8Array`.
 */
import { CodecError } from "../errors.ts";
import type { Codec } from "./codec.ts";
import { describeValue } from "./describe.ts";

export const bytesCodec: Codec = {
  name: "bytes",
  encode(value: unknown): Uint8Array {
    if (!(value instanceof Uint8Array)) {
      throw new CodecError(
        `the bytes codec can only store a Uint8Array or Buffer, got ${describeValue(value)}; encode it yourself or use the msgpack codec`,
        { codec: "bytes" },
      );
    }
    return Uint8Array.prototype.slice.call(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  },
  decode(bytes: Uint8Array): unknown {
    if (!(bytes instanceof Uint8Array)) {
      throw new CodecError(`the bytes codec can only decode a Uint8Array, got ${describeValue(bytes)}`, { codec: "bytes" });
    }
    return Uint8Array.prototype.slice.call(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  },
};
