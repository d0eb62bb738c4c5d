/**
 * The process-wide registry of user classes that the msgpack and superjson codecs store as
 * instances (`registerClass`). Codecs subscribe with `onClassRegistered`; a class is found by
 * its exact prototype when encoding and by its name when decoding.
 */

export type ClassConstructor = abstract new (...args: any[]) => unknown;

const byName = new Map<string, ClassConstructor>();
const nameByPrototype = new Map<object, string>();
const listeners: Array<(Class: ClassConstructor, name: string) => void> = [];

// Instances of these keep state a field copy cannot restore (internal slots), so a subclass
// of one cannot round-trip as "prototype + own fields".
const builtinBases: Array<[string, object]> = [
  ["Array", Array.prototype],
  ["Map", Map.prototype],
  ["Set", Set.prototype],
  ["WeakMap", WeakMap.prototype],
  ["WeakSet", WeakSet.prototype],
  ["Date", Date.prototype],
  ["RegExp", RegExp.prototype],
  ["Error", Error.prototype],
  ["Promise", Promise.prototype],
  ["ArrayBuffer", ArrayBuffer.prototype],
  ["DataView", DataView.prototype],
  ["TypedArray", Object.getPrototypeOf(Uint8Array.prototype) as object],
  ["Number", Number.prototype],
  ["String", String.prototype],
  ["Boolean", Boolean.prototype],
  ["Function", Function.prototype],
];

/**
 * Makes instances of `Class` round-trip through the msgpack and superjson codecs: after
 * decoding they are instances of `Class` again (prototype restored, own enumerable fields
 * restored; the constructor is not called). `name` (default `Class.name`) is what is stored,
 * so register the same class under the same name in every process, at start-up, before
 * reading values that contain it. Registering the same class under the same name again is a
 * no-op; a name used by another class, or a second name for one class, is a `TypeError`.
 * Returns the name.
 */
export function registerClass(Class: ClassConstructor, name?: string): string {
  if (typeof Class !== "function" || typeof Class.prototype !== "object" || Class.prototype === null) {
    throw new TypeError("registerClass: the Class argument must be a class (a constructor function with a prototype)");
  }
  const proto = Class.prototype as object;
  for (const [baseName, baseProto] of builtinBases) {
    if (proto === baseProto || baseProto.isPrototypeOf(proto)) {
      throw new TypeError(
        `registerClass: ${Class.name || "the class"} is or extends the built-in ${baseName}, whose instances hold ` +
          `internal state that cannot be stored as fields. ` +
          (baseName === "Error"
            ? "Errors are stored without registration (name, message and cause)."
            : "Wrap the built-in value in a field of your own class instead."),
      );
    }
  }
  if (proto === Object.prototype) throw new TypeError("registerClass: Object itself needs no registration");
  const resolvedName = name ?? Class.name;
  if (typeof resolvedName !== "string" || resolvedName.length === 0) {
    throw new TypeError("registerClass: the class has no name; pass one as the name argument (registerClass(Class, \"Name\"))");
  }
  const existing = byName.get(resolvedName);
  if (existing !== undefined) {
    if (existing === Class) return resolvedName;
    throw new TypeError(
      `registerClass: the name ${JSON.stringify(resolvedName)} is already registered for another class; ` +
        "each stored class needs its own name (pass one as the name argument)",
    );
  }
  const previousName = nameByPrototype.get(proto);
  if (previousName !== undefined) {
    throw new TypeError(
      `registerClass: ${Class.name || "this class"} is already registered as ${JSON.stringify(previousName)}; ` +
        "a class is stored under one name",
    );
  }
  byName.set(resolvedName, Class);
  nameByPrototype.set(proto, resolvedName);
  for (const listener of listeners) listener(Class, resolvedName);
  return resolvedName;
}

/** The name an instance's exact class is registered under (subclasses are not matched). */
export function registeredNameOf(value: object): string | undefined {
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null ? undefined : nameByPrototype.get(proto);
}

/** The name `Class` is registered under, if any. */
export function registeredClassName(Class: ClassConstructor): string | undefined {
  return nameByPrototype.get(Class.prototype as object);
}

/** The class registered under `name`, if any. */
export function getRegisteredClass(name: string): ClassConstructor | undefined {
  return byName.get(name);
}

/** All registered classes by name (a snapshot, sorted by name). */
export function registeredClasses(): Map<string, ClassConstructor> {
  return new Map([...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Calls `listener` for every class registered so far and every class registered later. */
export function onClassRegistered(listener: (Class: ClassConstructor, name: string) => void): void {
  listeners.push(listener);
  for (const [name, Class] of byName) listener(Class, name);
}

/** The message tail used when an instance of an unregistered class is met. */
export function registerHint(className: string): string {
  return `call registerClass(${className}) at start-up in every process that reads or writes it, or store a plain object instead`;
}
