import type { Codec } from "../codec/codec.ts";
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
  }

  contentTypeFor(key: string): ContentType | undefined {
    const exact = this.contentTypes.get(key);
    if (exact || this.prefixTypes.size === 0) return exact;
    let best: ContentType | undefined;
    let bestLen = -1;
    for (const [p, ct] of this.prefixTypes) {
      if (p.length > bestLen && key.startsWith(p)) {
        best = ct;
        bestLen = p.length;
      }
    }
    return best;
  }

  mergeFnFor(key: string, call: CommitMergeOptions = {}): MergeFn | undefined {
    return call.mergeFns?.[key] ?? this.perKey.get(key) ?? this.contentTypeFor(key)?.merge ?? call.defaultMerge ?? this.defaultMerge;
  }

  /** The codec for one key: its content type's own encoding if it has one, else the store's. */
  codecFor(key: string, storeCodec: Codec): Codec {
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
