import type { Codec } from "../codec/codec.ts";
import { getRegisteredContentType, hasContentType } from "../merge/registry.ts";
import { EMPTY_POLICY, type MergePolicy } from "./merge-policy.ts";
import { decodeValue, encodeValue } from "../codec/resolve-codec.ts";
import { encodingFor, longestPrefix } from "./key-encoding.ts";
import { DELETE, type ContentType, type MergeFn } from "../merge/merge-fn.ts";
import type { MergeResolver } from "../versioned/three-way-merge.ts";
import { ownValue } from "../merge/equal.ts";

/**
 * The policies a merge reads each side's bytes with (the engine's sides: for a branch merge
 * "ours" is the source) and writes the result with: values are read by the policy of the
 * commit holding them (key-encoding.ts).
 */
export interface SidePolicies {
  base: MergePolicy;
  ours: MergePolicy;
  theirs: MergePolicy;
  result: MergePolicy;
}

export interface CommitMergeOptions {
  mergeFns?: Record<string, MergeFn>;
  defaultMerge?: MergeFn;
}

/**
 * Which merge function decides a key, in SPEC order: per-call `mergeFns`, then the key's
 * registered function, then its content type (exact key, then longest prefix), then the
 * per-call default, then the default registered for the longest prefix of the key (a
 * namespace's), then the store-wide default.
 */
export class MergeRegistry {
  private readonly perKey = new Map<string, MergeFn>();
  private readonly contentTypes = new Map<string, ContentType>();
  private readonly prefixTypes = new Map<string, ContentType>();
  private defaultMerge: MergeFn | undefined;
  /** Content type names stored with the branch; this process's own settings win. */
  private persisted: MergePolicy = EMPTY_POLICY;

  setPersisted(policy: MergePolicy): void {
    this.persisted = policy;
  }

  persistedPolicy(): MergePolicy {
    return this.persisted;
  }

  setMergeFn(key: string, fn: MergeFn | undefined): void {
    if (fn === undefined) this.perKey.delete(key);
    else this.perKey.set(key, fn);
  }

  /** The default for every key, or with `prefix` for the keys under it (a namespace's). */
  setDefaultMerge(fn: MergeFn | undefined, prefix = ""): void {
    if (prefix === "") this.defaultMerge = fn;
    else if (fn === undefined) this.prefixDefaults.delete(prefix);
    else this.prefixDefaults.set(prefix, fn);
  }

  private readonly prefixDefaults = new Map<string, MergeFn>();

  setContentType(keyOrPrefix: string, ct: ContentType | undefined, prefix: boolean): void {
    const map = prefix ? this.prefixTypes : this.contentTypes;
    if (ct === undefined) map.delete(keyOrPrefix);
    else map.set(keyOrPrefix, ct);
  }

  contentTypeFor(key: string): ContentType | undefined {
    const exact = this.contentTypes.get(key);
    if (exact) return exact;
    const stored = this.persisted.keys.get(key);
    if (stored !== undefined) return byName(stored);
    const local = longestPrefix(this.prefixTypes, key);
    const remote = longestPrefix(this.persisted.prefixes, key);
    if (!local) return remote ? byName(remote[1]) : undefined;
    return remote && remote[0].length > local[0].length ? byName(remote[1]) : local[1];
  }

  mergeFnFor(key: string, call: CommitMergeOptions = {}): MergeFn | undefined {
    // Own properties only: a key named "constructor" or "toString" must not find Object.prototype's.
    const perCall = call.mergeFns === undefined ? undefined : (ownValue(call.mergeFns, key) as MergeFn | undefined);
    return perCall ?? this.perKey.get(key) ?? this.contentTypeFor(key)?.merge ?? call.defaultMerge ?? longestPrefix(this.prefixDefaults, key)?.[1] ?? this.defaultMerge;
  }

  /**
   * The codec of `key`'s committed values: the encoding the committed policy gives it
   * (key-encoding.ts). This process's own settings never change how stored bytes are read.
   */
  codecFor(key: string, storeCodec: Codec): Codec {
    return encodingFor(this.persisted, key, storeCodec);
  }

  /**
   * A byte-level resolver for the versioned engine. `swap` flips ours/theirs for branch
   * merges, where the engine's "ours" is the source branch but the user's is the target.
   * Each side is read, and the result written, with the encodings of its policy in
   * `policies` (SidePolicies).
   */
  resolver(storeCodec: Codec, call: CommitMergeOptions, swap: boolean, policies: SidePolicies): MergeResolver {
    return {
      has: (key) => this.mergeFnFor(key, call) !== undefined,
      resolve: (key, base, ours, theirs) => {
        const fn = this.mergeFnFor(key, call)!;
        const dec = (b: Uint8Array | undefined, side: keyof SidePolicies) => (b === undefined ? undefined : decodeValue(encodingFor(policies[side], key, storeCodec), b, key));
        const [b0, o, t] = [dec(base, "base"), dec(ours, "ours"), dec(theirs, "theirs")];
        const merged = swap ? fn(b0, t, o, { key }) : fn(b0, o, t, { key });
        if (merged === DELETE) return null;
        return encodeValue(encodingFor(policies.result, key, storeCodec), merged, key);
      },
    };
  }
}

/**
 * The registered content type called `name`. A stored policy naming a type this process
 * has not registered still decides the key — by failing at merge time with the registry's
 * NotSupportedError (reported in MergeConflict.mergeErrors), never by silently not merging.
 */
function byName(name: string): ContentType {
  if (hasContentType(name)) return getRegisteredContentType(name);
  return {
    name,
    merge: () => getRegisteredContentType(name),
  };
}
