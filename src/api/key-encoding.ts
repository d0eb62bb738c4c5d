import type { Codec } from "../codec/codec.ts";
import { getRegisteredContentType, hasContentType } from "../merge/registry.ts";
import type { MergePolicy } from "./merge-policy.ts";

/**
 * How a key's values are encoded: with its content type's own encoding when the type has
 * one, else with the store's codec. What decides is the merge policy *of the commit the
 * value belongs to* (a pure function of stored data), never this process's settings: a
 * value is always read back with the encoding it was written with, whoever reads it and
 * whenever. So changing a key's content type re-encodes its committed value at the next
 * commit (Staged.commit), and old commits keep reading with their own policy.
 *
 * A policy names types; a name this process has not registered is read with the store's
 * codec (docs/merge.md: register custom types at start-up in every process).
 */
export function encodingFor(policy: MergePolicy, key: string, storeCodec: Codec): Codec {
  if (policy.keys.size === 0 && policy.prefixes.size === 0) return storeCodec;
  const name = policyNameFor(policy, key);
  if (name === undefined || !hasContentType(name)) return storeCodec;
  const ct = getRegisteredContentType(name);
  if (!ct.encode || !ct.decode) return storeCodec;
  const cached = typeCodecs.get(name);
  if (cached?.type === ct) return cached.codec;
  const codec: Codec = { name: ct.name, encode: ct.encode.bind(ct), decode: ct.decode.bind(ct) };
  typeCodecs.set(name, { type: ct, codec });
  return codec;
}

/** The content type name `policy` attaches to `key`: the key's own, else the longest prefix's. */
export function policyNameFor(policy: MergePolicy, key: string): string | undefined {
  const own = policy.keys.get(key);
  if (own !== undefined) return own;
  let best: string | undefined;
  let name: string | undefined;
  for (const [prefix, n] of policy.prefixes) {
    if (key.startsWith(prefix) && (best === undefined || prefix.length > best.length)) {
      best = prefix;
      name = n;
    }
  }
  return name;
}

/** One codec object per registered type with an encoding (re-made if the name is re-registered). */
const typeCodecs = new Map<string, { type: object; codec: Codec }>();
