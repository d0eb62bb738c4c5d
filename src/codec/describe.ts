import { CodecError } from "../errors.ts";

/** A short human description of a value's type for error messages ("a function", "an instance of class Foo"). */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  const t = typeof value;
  if (t === "function") {
    const name = (value as { name?: unknown }).name;
    return typeof name === "string" && name ? `a function (${name})` : "a function";
  }
  if (t === "symbol") return `a symbol (${String(value)})`;
  if (t === "bigint") return "a bigint";
  if (t === "undefined") return "undefined";
  if (t !== "object") return `a ${t}`;
  const ctor = constructorName(value as object);
  if (ctor === undefined) return "an object";
  if (isBuiltinConstructorName(ctor)) return `${/^[AEIOU]/.test(ctor) ? "an" : "a"} ${ctor}`;
  return `an instance of class ${ctor}`;
}

/** The name of the object's constructor, if it has a usable one. */
export function constructorName(value: object): string | undefined {
  const proto = Object.getPrototypeOf(value) as { constructor?: unknown } | null;
  const ctor = proto?.constructor;
  if (typeof ctor !== "function") return undefined;
  return (ctor as { name?: string }).name || "<anonymous>";
}

/** True when `name` is a constructor JavaScript itself provides (globalThis[name]). */
export function isBuiltinConstructorName(name: string): boolean {
  return typeof (globalThis as Record<string, unknown>)[name] === "function";
}

/** Formats a property step for a value path: `.a`, `["a b"]`, `[3]`. */
export function pathStep(key: string | number): string {
  if (typeof key === "number") return `[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * Adds the store key to a codec failure: the codecs do not know the key, their caller does.
 * Errors that are not `CodecError` (a custom codec that threw) are wrapped too.
 */
export function withKey(error: unknown, key: string, codecName?: string): CodecError {
  if (error instanceof CodecError && error.key === key) return error;
  const message = error instanceof Error ? error.message : String(error);
  const data = error instanceof CodecError ? { ...error.data, key } : { key, ...(codecName ? { codec: codecName } : {}) };
  return new CodecError(`key ${JSON.stringify(key)}: ${message}`, data, { cause: error });
}
