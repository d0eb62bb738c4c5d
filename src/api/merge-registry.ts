import type { Codec } from "../codec/codec.ts";
import { getRegisteredContentType, hasContentType } from "../merge/registry.ts";
import { EMPTY_POLICY, type MergePolicy } from "./merge-policy.ts";
import { decodeValue, encodeValue } from "../codec/resolve-codec.ts";
import { DELETE, type ContentType, type MergeFn } from "../merge/merge-fn.ts";
import type { MergeResolver } from "../versioned/three-way-merge.ts";

export interface CommitMergeOptions {
  mergeFns?: Record<string, MergeFn>;
  defaultMerge?: MergeFn;
}

/**
 * Which merge function decides a key, in SPEC order: per-call `mergeFns`, then the key's
 * registered function, then its content type (exact key, then longest prefix), then the
 * per-call default, then the registered default.
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
    this.updateOwnEncodings();
  }

  persistedPolicy(): MergePolicy {
    return this.persisted;
  }

  setMergeFn(key: string, fn: MergeFn | undefined): void {
    if (fn === undefined) this.perKey.delete(key);
    else this.perKey.set(key, fn);
  }

  setDefaultMerge(fn: MergeFn | undefined): void {
    this.defaultMerge = fn;
  }

  setContentType(keyOrPrefix: string, ct: ContentType | undefined, prefix: boolean): void {
    const map = prefix ? this.prefixTypes : this.contentTypes;
    if (ct === undefined) map.delete(keyOrPrefix);
    else map.set(keyOrPrefix, ct);
    this.updateOwnEncodings();
  }

  /**
   * Whether any content type in force could carry its own encode/decode; kept up to date
   * by the setters so the hot read path (`codecFor`) is one boolean check.
   */
  private ownEncodings = false;

  private updateOwnEncodings(): void {
    const custom = (m: ReadonlyMap<string, ContentType>) => [...m.values()].some((ct) => ct.encode !== undefined);
    this.ownEncodings = this.persisted.keys.size > 0 || this.persisted.prefixes.size > 0 || custom(this.contentTypes) || custom(this.prefixTypes);
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
    return call.mergeFns?.[key] ?? this.perKey.get(key) ?? this.contentTypeFor(key)?.merge ?? call.defaultMerge ?? this.defaultMerge;
  }

  /** The codec for one key: its content type's own encoding if it has one, else the store's. */
  codecFor(key: string, storeCodec: Codec): Codec {
    if (!this.ownEncodings) return storeCodec;
    const ct = this.contentTypeFor(key);
    if (!ct?.encode || !ct.decode) return storeCodec;
    return { name: ct.name, encode: ct.encode.bind(ct), decode: ct.decode.bind(ct) };
  }

  /**
   * A byte-level resolver for the versioned engine. `swap` flips ours/theirs for branch
   * merges, where the engine's "ours" is the source branch but the user's is the target.
   */
  resolver(storeCodec: Codec, call: CommitMergeOptions = {}, swap = false): MergeResolver {
    return {
      has: (key) => this.mergeFnFor(key, call) !== undefined,
      resolve: (key, base, ours, theirs) => {
        const fn = this.mergeFnFor(key, call)!;
        const codec = this.codecFor(key, storeCodec);
        const dec = (b: Uint8Array | undefined) => (b === undefined ? undefined : decodeValue(codec, b, key));
        const [o, t] = swap ? [dec(theirs), dec(ours)] : [dec(ours), dec(theirs)];
        const merged = fn(dec(base), o, t, { key });
        if (merged === DELETE) return null;
        return encodeValue(codec, merged, key);
      },
    };
  }
}

function longestPrefix<T>(map: ReadonlyMap<string, T>, key: string): [string, T] | undefined {
  let best: [string, T] | undefined;
  for (const entry of map) if (key.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  return best;
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
