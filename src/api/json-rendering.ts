import { setOwnValue } from "../merge/equal.ts";

/**
 * A JSON rendering of a decoded value: what a proof carries as `value` once it has been
 * through JSON. Not a way back to the value (the proof's `valueBytes` are that): a fixed,
 * deterministic picture of it that two sides holding the same value render identically,
 * and that renders to itself, so a proof checks the same before and after JSON.
 *
 * bigint -> "10n"; Map -> { map: [[k, v], ...] }; Set -> { set: [...] }; Date -> its ISO
 * text (null when invalid); bytes (typed arrays, DataView, ArrayBuffer) -> { bytes: base64 };
 * RegExp -> its source text; Error -> { error: name, message }; a reference back to an
 * object being rendered -> "[Circular]"; functions, symbols and undefined are left out of
 * objects and become null in arrays, as in JSON.
 */
export function jsonRendering(value: unknown): unknown {
  return render(value, []);
}

function render(v: unknown, path: object[]): unknown {
  switch (typeof v) {
    case "bigint":
      return `${v}n`;
    case "number":
      return Number.isFinite(v) ? v : null;
    case "string":
    case "boolean":
      return v;
    case "object":
      break;
    default:
      return undefined; // undefined, function, symbol
  }
  if (v === null) return null;
  if (path.includes(v)) return "[Circular]";
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof RegExp) return String(v);
  if (ArrayBuffer.isView(v)) return { bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
  if (v instanceof ArrayBuffer) return { bytes: Buffer.from(v).toString("base64") };
  path.push(v);
  try {
    if (v instanceof Map) return { map: [...v].map(([k, x]) => [inArray(k, path), inArray(x, path)]) };
    if (v instanceof Set) return { set: [...v].map((x) => inArray(x, path)) };
    if (Array.isArray(v)) return v.map((x) => inArray(x, path));
    if (v instanceof Error) return { error: v.name, message: v.message };
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) {
      const r = render((v as Record<string, unknown>)[key], path);
      if (r !== undefined) setOwnValue(out, key, r);
    }
    return out;
  } finally {
    path.pop();
  }
}

function inArray(v: unknown, path: object[]): unknown {
  const r = render(v, path);
  return r === undefined ? null : r;
}
