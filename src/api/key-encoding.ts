import type { Codec } from "../codec/codec.ts";
import { getRegisteredContentType, hasContentType, hasOwnEncoding } from "../merge/registry.ts";
import { NotSupportedError } from "../errors.ts";
import type { MergePolicy } from "./merge-policy.ts";

/**
 * How a key's values are encoded: with its content type's own encoding when the type has
 * one, else with the store's codec. What decides is the merge policy *of the commit the
 * value belongs to* (a pure function of stored data), never this process's settings: a
 * value is always read back with the encoding it was written with, whoever reads it and
 * whenever. So changing a key's content type re-encodes its committed value at the next
 * commit (Staged.commit), and old commits keep reading with their own policy.
 *
 * A policy names types, and lists those with an encoding of their own (merge-policy.ts):
 * such a type must be registered in this process to read or write its keys
 * (NotSupportedError otherwise); a type with merge rules only is not needed for that.
 */
export function encodingFor(policy: MergePolicy, key: string, storeCodec: Codec): Codec {
  if (policy.keys.size === 0 && policy.prefixes.size === 0) return storeCodec;
  const name = policyNameFor(policy, key);
  if (name === undefined) return storeCodec;
  if (!hasContentType(name)) {
    // A type with no encoding of its own (merge rules only) reads and writes with the
    // store's codec; one with its own cannot be read or written here without it.
    if (!policy.encoded?.has(name)) return storeCodec;
    throw new NotSupportedError(
      `${JSON.stringify(key)} is stored with the own encoding of content type ${JSON.stringify(name)}, which this process has not registered; call registerContentType() with it at start-up to read or write this key`,
      { contentType: name, key },
    );
  }
  const ct = getRegisteredContentType(name);
  if (!ct.encode || !ct.decode) return storeCodec;
  const cached = typeCodecs.get(name);
  if (cached?.type === ct) return cached.codec;
  const codec: Codec = { name: ct.name, encode: ct.encode.bind(ct), decode: ct.decode.bind(ct) };
  typeCodecs.set(name, { type: ct, codec });
  return codec;
}

/**
 * Whether any type `policy` names has its own encoding (or might: an unregistered name the
 * policy lists as encoded).
 */
export function hasOwnEncodings(policy: MergePolicy): boolean {
  if (policy.encoded !== undefined && policy.encoded.size > 0) return true;
  for (const name of [...policy.keys.values(), ...policy.prefixes.values()]) {
    if (hasOwnEncoding(name)) return true;
  }
  return false;
}

/** The content type name `policy` attaches to `key`: the key's own, else the longest prefix's. */
export function policyNameFor(policy: MergePolicy, key: string): string | undefined {
  return policy.keys.get(key) ?? longestPrefix(policy.prefixes, key)?.[1];
}

/** The entry of `map` whose key is the longest prefix of `key`. */
export function longestPrefix<T>(map: ReadonlyMap<string, T>, key: string): [string, T] | undefined {
  let best: [string, T] | undefined;
  for (const entry of map) if (key.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  return best;
}

/** One codec object per registered type with an encoding (re-made if the name is re-registered). */
const typeCodecs = new Map<string, { type: object; codec: Codec }>();
