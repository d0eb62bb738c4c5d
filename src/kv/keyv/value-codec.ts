import { FormatError } from "../../errors.ts";

/**
 * Values are stored as Keyv's own default serialization of a Buffer,
 * `{"value":":base64:<base64>"}`, whatever the Keyv's serialize/compression options: a
 * plain Keyv reading the same key gets a Buffer back, the text fits every adapter (TEXT
 * columns included), and it is deterministic, so CAS can compare stored text exactly.
 * Base64 costs 4/3 of the bytes; a JSON array of numbers would cost up to 4x.
 */
const HEAD = '{"value":":base64:';
const TAIL = '"}';

export function encodeValue(bytes: Uint8Array): string {
  return HEAD + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64") + TAIL;
}

export function decodeValue(raw: unknown, key: string): Uint8Array {
  if (typeof raw === "string" && raw.startsWith(HEAD) && raw.endsWith(TAIL)) {
    return new Uint8Array(Buffer.from(raw.slice(HEAD.length, raw.length - TAIL.length), "base64"));
  }
  const value = envelopeValue(raw);
  if (value instanceof Uint8Array) return new Uint8Array(value);
  throw new FormatError(`value at key ${JSON.stringify(key)} is not bytes written by kvgit`, { key });
}

/** Other spellings a Keyv may have written for a Buffer value (reordered fields, an expiry). */
function envelopeValue(raw: unknown): unknown {
  let obj: unknown = raw;
  if (typeof raw === "string") {
    try {
      obj = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (obj === null || typeof obj !== "object") return undefined;
  const v = (obj as { value?: unknown }).value;
  if (typeof v === "string" && v.startsWith(":base64:")) return Buffer.from(v.slice(8), "base64");
  if (v instanceof Uint8Array) return v;
  if (v && typeof v === "object" && (v as { type?: unknown }).type === "Buffer" && Array.isArray((v as { data?: unknown }).data)) {
    return Buffer.from((v as { data: number[] }).data); // JSON.stringify of a Buffer
  }
  return undefined;
}
