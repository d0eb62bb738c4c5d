import { verifyPath } from "../index/keyset-index.ts";
import { hashHex } from "../objects/hash.ts";
import type { Codec } from "../codec/codec.ts";
import { resolveCodec } from "../codec/resolve-codec.ts";
import { decodeCommit } from "../versioned/commit-object.ts";
import { jsonRendering } from "./json-rendering.ts";

/**
 * An inclusion or absence proof. `path` holds the base64 index nodes from the root to the
 * leaf the key lives or would live in; `commitBytes` the commit object, which names `root`
 * and hashes to `commit`; `valueBytes` the stored bytes of the value, whose hash the leaf
 * holds; `value` the decoded value for convenience. Every field is plain JSON but `value`,
 * which may be any value the codec stores: `JSON.stringify(proof)` writes it as its
 * `jsonRendering` (a BigInt, Map or Set cannot go through JSON as itself), and a proof
 * checks the same before and after JSON.
 */
export interface Proof {
  version: 2;
  commit: string;
  commitBytes: string;
  root: string;
  key: string;
  present: boolean;
  value?: unknown;
  valueBytes?: string;
  codec: string;
  path: string[];
}

export function buildProof(p: {
  commit: string;
  commitBytes: Uint8Array;
  root: string;
  key: string;
  path: Uint8Array[];
  bytes: Uint8Array | undefined;
  codec: string;
  value: unknown;
}): Proof {
  const proof: Proof = {
    version: 2,
    commit: p.commit,
    commitBytes: base64(p.commitBytes),
    root: p.root,
    key: p.key,
    present: p.bytes !== undefined,
    codec: p.codec,
    path: p.path.map(base64),
  };
  if (p.bytes !== undefined) {
    proof.valueBytes = base64(p.bytes);
    proof.value = p.value;
  }
  // Not enumerable: the proof stays a plain record to spread or compare.
  Object.defineProperty(proof, "toJSON", { value: proofJson, enumerable: false });
  return proof;
}

function proofJson(this: Proof): Record<string, unknown> {
  const { value, ...rest } = this;
  return this.present ? { ...rest, value: jsonRendering(value) } : rest;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/**
 * Checks a proof against its own `root` with no store at hand. False for malformed input
 * or any altered field (commit, root, key, presence, value, path); never throws. A custom
 * codec can be passed to check `value` for proofs made with it.
 */
export function verifyProof(proof: unknown, opts: { codec?: Codec } = {}): boolean {
  try {
    if (!proof || typeof proof !== "object") return false;
    const p = proof as Partial<Proof>;
    if (p.version !== 2 || typeof p.root !== "string" || typeof p.key !== "string" || typeof p.present !== "boolean") return false;
    if (typeof p.commit !== "string" || typeof p.commitBytes !== "string") return false;
    const commitBytes = strictBase64(p.commitBytes);
    if (!commitBytes || hashHex(commitBytes) !== p.commit || decodeCommit(p.commit, commitBytes).root !== p.root) return false;
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
    // Compared as renderings, so a proof that went through JSON checks the same.
    return JSON.stringify(jsonRendering(codec.decode(bytes))) === JSON.stringify(jsonRendering(p.value));
  } catch {
    return false;
  }
}

function strictBase64(s: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return undefined;
  return new Uint8Array(Buffer.from(s, "base64"));
}
