import type { Codec } from "../codec/codec.ts";
import { decodeValue } from "../codec/resolve-codec.ts";
import { deepFreezeJson, freezeIfJsonLike } from "./frozen-value.ts";
import type { MergeRegistry } from "./merge-registry.ts";
import type { DecodedValue, ValueDecoder } from "./working-copy.ts";

/**
 * How a store object decodes committed values: with the key's codec; a value decoded by
 * the store's own codec that is JSON-like is frozen and shared (content-type codecs may
 * change with the merge policy, so their results are not kept).
 *
 * A class, not a closure: optimised code that calls a closure embeds that closure, and V8
 * discards the code once the closure is garbage — so each store object opened after the
 * previous one was collected would decode its values with cold code. A method is reached
 * through the class's shape, which outlives every store object.
 */
export class StoreValueDecoder implements ValueDecoder {
  constructor(
    private readonly codec: Codec,
    private readonly merges: MergeRegistry,
  ) {}

  decode(key: string, bytes: Uint8Array): DecodedValue {
    const codec = this.merges.codecFor(key, this.codec);
    const value = decodeValue(codec, bytes, key);
    if (codec !== this.codec) return { value, share: false };
    if (codec.decodesPlain?.(bytes)) {
      deepFreezeJson(value);
      return { value, share: true };
    }
    return { value, share: freezeIfJsonLike(value) };
  }
}
