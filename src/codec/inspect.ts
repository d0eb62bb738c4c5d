/**
 * Walks a value before the msgpack or superjson codec encodes it and rejects, with a
 * `CodecError` naming the path, anything the codec would silently drop or change (functions,
 * symbols, unregistered classes, ...). The libraries themselves would encode such values as
 * `undefined` or as plain objects, which is data loss kvgit must not allow.
 */
import { CodecError } from "../errors.ts";
import { registerHint, registeredNameOf } from "./class-registry.ts";
import { constructorName, describeValue, isBuiltinConstructorName, pathStep } from "./describe.ts";

export type InspectedCodec = "msgpack" | "superjson";

export interface InspectResult {
  /** The value holds a `-0` somewhere (msgpackr alone would write it as 0). */
  negativeZero: boolean;
  /**
   * JSON-like: only plain objects, arrays, strings, finite-or-NaN numbers (no -0),
   * booleans and null, with no shared or cyclic references. Such values take the msgpack
   * codec's fast path (no structured-clone bookkeeping).
   */
  plain: boolean;
}

/** Key the msgpack codec uses to tag a registered class instance; user objects may not use it. */
export const CLASS_MARK = "\u0000kvgit:class";

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const supportedViews = new Set<object>(
  [
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView,
    ...(typeof Buffer === "function" ? [Buffer] : []),
  ].map((c) => c.prototype as object),
);

const hasIsWellFormed = typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === "function";
function isWellFormed(s: string): boolean {
  if (hasIsWellFormed) return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

function isForbiddenKey(key: string, sj: boolean): boolean {
  if (key === "__proto__") return true;
  return sj ? key === "constructor" || key === "prototype" : key === CLASS_MARK;
}

type PathStep = string | number | { label: string };

/** One walk over one value; a class (not closures) so V8 keeps the hot path fast. */
class Inspector {
  readonly sj: boolean;
  // raw steps (a key, an index, or a ready-made label), formatted only when reporting an error
  readonly path: PathStep[] = [];
  // object -> "its first occurrence is somewhere superjson cannot re-link a reference to"
  readonly seen = new Map<object, boolean>();
  errorsOnPath: Set<object> | undefined;
  negativeZero = false;
  plain = true;

  constructor(readonly codec: InspectedCodec) {
    this.sj = codec === "superjson";
  }

  formatPath(): string {
    return "value" + this.path.map((step) => (typeof step === "object" ? step.label : pathStep(step))).join("");
  }

  fail(what: string, hint: string, data: Record<string, unknown> = {}): never {
    const where = this.path.length ? ` at ${this.formatPath()}` : "";
    throw new CodecError(`the ${this.codec} codec cannot encode ${what}${where}: ${hint}`, {
      codec: this.codec,
      path: this.formatPath(),
      ...data,
    });
  }

  visitFields(obj: object, fragile: boolean): void {
    const keys = Object.keys(obj);
    const sj = this.sj;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (isForbiddenKey(key, sj)) {
        this.path.push(key);
        this.fail(
          `an object with the property ${JSON.stringify(key)}`,
          sj
            ? "superjson refuses __proto__, constructor and prototype keys; rename the property or use the msgpack codec"
            : "rename the property (msgpack cannot restore it faithfully)",
        );
      }
      if (!sj && !isWellFormed(key)) {
        this.path.push(key);
        this.fail("a property name with a lone UTF-16 surrogate", "UTF-8 cannot hold it; fix the string");
      }
      const v = (obj as Record<string, unknown>)[key];
      if (v === undefined || typeof v === "bigint") this.plain = false;
      if (typeof v === "object" || typeof v === "string" || typeof v === "number" || typeof v === "function" || typeof v === "symbol") {
        this.path.push(key);
        this.visit(v, fragile);
        this.path.pop();
      }
    }
  }

  visit(v: unknown, fragile: boolean): void {
    switch (typeof v) {
      case "string":
        if (!this.sj && !isWellFormed(v)) {
          this.fail("a string with a lone UTF-16 surrogate", "UTF-8 cannot hold it; fix the string or use the superjson codec");
        }
        return;
      case "number":
        if (v === 0 && 1 / v < 0) {
          this.negativeZero = true;
          this.plain = false;
        }
        return;
      case "boolean":
        return;
      case "undefined":
      case "bigint":
        this.plain = false;
        return;
      case "symbol":
        return this.fail(describeValue(v), "symbols cannot be stored; store a string instead");
      case "function":
        return this.fail(describeValue(v), "functions cannot be stored; store data, not code");
    }
    if (v === null) return;
    const obj = v as object;
    const sj = this.sj;

    const firstFragile = this.seen.get(obj);
    if (firstFragile !== undefined) {
      this.plain = false;
      if (this.errorsOnPath?.has(obj)) this.fail("an Error that contains itself", "cyclic Errors cannot be restored; break the cycle");
      if (sj && (firstFragile || fragile)) {
        this.fail(
          "a shared or cyclic reference inside a Set, a Map key, an Error or a registered class instance",
          "superjson cannot re-link it there; use the msgpack codec or store a copy",
        );
      }
      return;
    }
    this.seen.set(obj, fragile);

    const proto = Object.getPrototypeOf(obj) as object | null;
    if (proto === Object.prototype) return this.visitFields(obj, fragile);
    if (proto !== Array.prototype) this.plain = false;
    if (proto === null) return this.visitFields(obj, fragile);
    if (proto === Array.prototype) {
      const arr = obj as unknown[];
      const path = this.path;
      for (let i = 0; i < arr.length; i++) {
        path.push(i);
        if (sj && !(i in arr)) this.fail("a sparse array (a hole)", "superjson would turn the hole into null; fill it with undefined");
        this.visit(arr[i], fragile);
        path.pop();
      }
      return;
    }
    if (proto === Map.prototype) {
      let i = 0;
      for (const [k, val] of obj as Map<unknown, unknown>) {
        this.path.push({ label: `.<Map key #${i}>` });
        this.visit(k, true);
        this.path.pop();
        this.path.push({ label: `.get(<key #${i}>)` });
        this.visit(val, fragile);
        this.path.pop();
        i++;
      }
      return;
    }
    if (proto === Set.prototype) {
      let i = 0;
      for (const item of obj as Set<unknown>) {
        this.path.push({ label: `.<Set element #${i++}>` });
        this.visit(item, true);
        this.path.pop();
      }
      return;
    }
    if (proto === Date.prototype) {
      if (sj && Number.isNaN((obj as Date).getTime())) {
        this.fail("an Invalid Date", "superjson would store it as null; use the msgpack codec or store null");
      }
      return;
    }
    if (proto === RegExp.prototype || proto === ArrayBuffer.prototype) return;
    if (supportedViews.has(proto as object)) return;
    if (obj instanceof Error) return this.visitError(obj);
    if (sj && typeof URL === "function" && proto === URL.prototype) return;
    if (registeredNameOf(obj) !== undefined) return this.visitFields(obj, true);
    this.refuse(obj, proto as object);
  }

  visitError(error: Error): void {
    (this.errorsOnPath ??= new Set()).add(error);
    if (Object.prototype.hasOwnProperty.call(error, "cause")) {
      this.path.push("cause");
      this.visit((error as { cause?: unknown }).cause, true);
      this.path.pop();
    }
    if (typeof AggregateError === "function" && error instanceof AggregateError) {
      this.path.push("errors");
      this.visit(this.sj ? error.errors : [...error.errors], true);
      this.path.pop();
    }
    this.errorsOnPath.delete(error);
  }

  refuse(obj: object, proto: object): never {
    const ctor = constructorName(obj) ?? "<unknown>";
    if (TypedArrayPrototype.isPrototypeOf(obj) || ArrayBuffer.isView(obj)) {
      return this.fail(describeValue(obj), `${ctor} is not supported; copy it into one of the standard typed arrays`, { type: ctor });
    }
    if (isBuiltinConstructorName(ctor) && (globalThis as Record<string, unknown>)[ctor] === (proto as { constructor?: unknown }).constructor) {
      return this.fail(describeValue(obj), `${ctor} values cannot be stored by this codec; convert it to data (a string, an array or a plain object)`, {
        type: ctor,
      });
    }
    return this.fail(`an instance of the unregistered class ${ctor}`, registerHint(ctor), { type: ctor });
  }
}

export function inspectValue(value: unknown, codec: InspectedCodec): InspectResult {
  // primitives need no walk (a lone-surrogate string, symbol or function still does)
  if (typeof value !== "object" && typeof value !== "string" && typeof value !== "function" && typeof value !== "symbol") {
    const negativeZero = value === 0 && 1 / (value as number) < 0;
    return { negativeZero, plain: !negativeZero && value !== undefined && typeof value !== "bigint" };
  }
  const inspector = new Inspector(codec);
  try {
    inspector.visit(value, false);
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw new CodecError(`the ${codec} codec cannot encode the value: it is nested too deeply`, { codec }, { cause: error });
    }
    throw error;
  }
  return { negativeZero: inspector.negativeZero, plain: inspector.plain && !inspector.negativeZero };
}
