/**
 * Structural identity of decoded values, for merges: a canonical string per value, so two
 * values are "the same" when their strings match. Plain-object keys, Map entries and Set
 * elements are compared regardless of order; arrays in order; 0 and -0 are the same (as in a
 * Set); a cycle is written as a back-reference, so cyclic values compare too.
 */
export function canonicalKey(value: unknown): string {
  const stack: object[] = [];

  const enc = (v: unknown): string => {
    switch (typeof v) {
      case "string":
        return JSON.stringify(v);
      case "number":
        return v === 0 ? "0" : String(v);
      case "bigint":
        return `${v}n`;
      case "boolean":
        return v ? "true" : "false";
      case "undefined":
        return "undefined";
      case "symbol":
        return `symbol(${String(v.description)})`;
      case "function":
        return `function(${v.name})`;
    }
    if (v === null) return "null";
    const obj = v as object;
    const depth = stack.indexOf(obj);
    if (depth >= 0) return `^${stack.length - depth}`;
    stack.push(obj);
    try {
      if (Array.isArray(obj)) return `[${obj.map(enc).join(",")}]`;
      if (obj instanceof Date) return `Date(${obj.getTime()})`;
      if (obj instanceof RegExp) return `RegExp(${String(obj)})`;
      if (obj instanceof Map) return `Map{${[...obj].map(([k, x]) => `${enc(k)}=>${enc(x)}`).sort().join(",")}}`;
      if (obj instanceof Set) return `Set{${[...obj].map(enc).sort().join(",")}}`;
      if (obj instanceof ArrayBuffer) return `ArrayBuffer(${hex(new Uint8Array(obj))})`;
      if (ArrayBuffer.isView(obj)) {
        return `${obj.constructor.name}(${hex(new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength))})`;
      }
      if (obj instanceof Error) {
        return `Error(${enc(obj.name)},${enc(obj.message)},${enc((obj as { cause?: unknown }).cause)})`;
      }
      const proto = Object.getPrototypeOf(obj) as { constructor?: { name?: string } } | null;
      const tag = proto === Object.prototype || proto === null ? "" : (proto.constructor?.name ?? "?");
      const record = obj as Record<string, unknown>;
      const fields = Object.keys(record)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${enc(record[k])}`);
      return `${tag}{${fields.join(",")}}`;
    } finally {
      stack.pop();
    }
  };

  return enc(value);
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Structural equality (see `canonicalKey`). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b) return false;
  if (typeof a !== "object" || a === null || b === null) {
    return typeof a === "number" ? (Number.isNaN(a) && Number.isNaN(b)) : false;
  }
  return canonicalKey(a) === canonicalKey(b);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === Object.prototype || proto === null;
}

/** The own property `key` of `obj` (never an inherited one such as `__proto__`). */
export function ownValue(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/**
 * Sets the own property `key` of `obj`, whatever the key: `obj[key] = value` would set the
 * prototype for `"__proto__"` instead of adding a key.
 */
export function setOwnValue(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
