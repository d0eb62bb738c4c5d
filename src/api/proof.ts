import { verifyPath } from "../index/keyset-index.ts";
import { hashHex } from "../objects/hash.ts";
import type { Codec } from "../codec/codec.ts";
import { resolveCodec } from "../codec/resolve-codec.ts";

/**
 * An inclusion or absence proof (plain JSON). `path` holds the base64 index nodes from
 * the root to the leaf the key lives or would live in; `valueBytes` the stored bytes of
 * the value, whose hash the leaf holds; `value` the decoded value for convenience.
 */
export interface Proof {
  version: 1;
  commit: string;
  root: string;
  key: string;
  present: boolean;
  value?: unknown;
  valueBytes?: string;
  codec: string;
  path: string[];
}

export function buildProof(p: { commit: string; root: string; key: string; path: Uint8Array[]; bytes: Uint8Array | undefined; codec: string; value: unknown }): Proof {
  const proof: Proof = {
    version: 1,
    commit: p.commit,
    root: p.root,
    key: p.key,
    present: p.bytes !== undefined,
    codec: p.codec,
    path: p.path.map((n) => Buffer.from(n).toString("base64")),
  };
  if (p.bytes !== undefined) {
    proof.valueBytes = Buffer.from(p.bytes).toString("base64");
    proof.value = p.value;
  }
  return proof;
}

/**
 * Checks a proof against its own `root` with no store at hand. False for malformed input
 * or any altered field (root, key, presence, value, path); never throws. `commit` is
 * informational: it names where the proof came from but is not part of what is proven.
 * A custom codec can be passed to check `value` for proofs made with it.
 */
export function verifyProof(proof: unknown, opts: { codec?: Codec } = {}): boolean {
  try {
    if (!proof || typeof proof !== "object") return false;
    const p = proof as Partial<Proof>;
    if (p.version !== 1 || typeof p.root !== "string" || typeof p.key !== "string" || typeof p.present !== "boolean") return false;
    if (!Array.isArray(p.path) || !p.path.every((s) => typeof s === "string")) return false;
    const path = p.path.map((s) => strictBase64(s));
    if (path.some((b) => b === undefined)) return false;
    const valueId = verifyPath(p.root, p.key, path as Uint8Array[]);
    if (valueId === undefined) return false;
    if (!p.present) return valueId === null && p.valueBytes === undefined && !("value" in p);
    if (valueId === null || typeof p.valueBytes !== "string") return false;
    const bytes = strictBase64(p.valueBytes);
    if (!bytes || hashHex(bytes) !== valueId) return false;
    const codec = opts.codec ?? (typeof p.codec === "string" ? resolveCodec(p.codec as never) : undefined);
    if (!codec) return false;
    // Compare through JSON so a proof that itself went through JSON still verifies.
    return canonicalJson(codec.decode(bytes)) === canonicalJson(p.value);
  } catch {
    return false;
  }
}

function strictBase64(s: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return undefined;
  return new Uint8Array(Buffer.from(s, "base64"));
}

function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x instanceof Map ? { map: [...x] } : x instanceof Set ? { set: [...x] } : x)) ?? "undefined";
}
