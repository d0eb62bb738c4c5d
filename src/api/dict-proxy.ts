/** What a store object offers the Proxy: dict access by key. */
export interface DictTarget {
  get(key: string): unknown;
  set(key: string, value: unknown): unknown;
  delete(key: string): boolean;
  has(key: string): boolean;
  keys(): string[];
}

/**
 * Wraps a store object so keys read and write like properties (`s.k`, `s["k"] = v`,
 * `delete s.k`, `"k" in s`, `Object.keys(s)`, `{ ...s }`). API members always win: a key
 * that equals a member name is reached only through `get`/`set`, and assigning to one
 * through the Proxy is a TypeError. `then` reads as undefined so `await store()` works.
 * Methods are bound to the real object, so private state never goes through the traps.
 *
 * Every store shares one handler: its trap functions keep their type feedback across
 * store objects, so reads through a freshly opened store are fast from the first key.
 */
export function dictProxy<T extends DictTarget>(target: T): T {
  return new Proxy(target, HANDLER) as T;
}

const HANDLER: ProxyHandler<DictTarget> = {
  get(t, prop) {
    if (typeof prop === "symbol" || memberNames(t).has(prop)) return member(t, prop);
    if (prop === "then") return undefined;
    return t.get(prop);
  },
  set(t, prop, value) {
    if (typeof prop === "symbol" || prop in t) {
      throw new TypeError(
        `cannot assign ${String(prop)} through the store's property syntax: it is a member of the store API; use store.set(${JSON.stringify(String(prop))}, value)`,
      );
    }
    t.set(prop, value);
    return true;
  },
  deleteProperty(t, prop) {
    if (typeof prop === "symbol" || prop in t) {
      throw new TypeError(`cannot delete ${String(prop)} through the store's property syntax: it is a member of the store API; use store.delete(${JSON.stringify(String(prop))})`);
    }
    t.delete(prop);
    return true;
  },
  has(t, prop) {
    if (typeof prop === "symbol" || prop in t) return Reflect.has(t, prop);
    return t.has(prop);
  },
  ownKeys(t) {
    return t.keys();
  },
  getOwnPropertyDescriptor(t, prop) {
    if (typeof prop === "symbol" || prop in t || !t.has(prop)) return undefined;
    return { value: t.get(prop), writable: true, enumerable: true, configurable: true };
  },
  defineProperty(t, prop, desc) {
    if (typeof prop === "symbol" || prop in t || !("value" in desc)) {
      throw new TypeError(`cannot define ${String(prop)} on a store; use store.set(key, value)`);
    }
    t.set(prop, desc.value);
    return true;
  },
};

const boundMethods = new WeakMap<object, Map<PropertyKey, unknown>>();

/** A member of the real object; methods come bound to it (once per object and name). */
function member(t: object, prop: PropertyKey): unknown {
  // A method bound before is answered from the cache; looking the member up again by a
  // variable name costs more than the call it precedes (s.get(key) in a loop).
  const bound = boundMethods.get(t);
  const cached = bound?.get(prop);
  if (cached !== undefined) return cached;
  const value = Reflect.get(t, prop, t);
  if (typeof value !== "function") return value;
  const fn = value.bind(t);
  if (bound) bound.set(prop, fn);
  else boundMethods.set(t, new Map([[prop, fn]]));
  return fn;
}

const memberCache = new WeakMap<object, Set<string>>();

/**
 * Every string property name reachable on `target`'s prototype chain (its API members and
 * Object.prototype's), computed once per class: a Set lookup is cheaper than `in` on the
 * hot `s[key]` path. Targets keep their state in private fields; own properties (such as
 * a namespace's `namespace`) are the same for every instance of a class.
 */
function memberNames(target: object): Set<string> {
  const proto = Object.getPrototypeOf(target) as object;
  let names = memberCache.get(proto);
  if (!names) {
    names = new Set();
    for (let o: object | null = target; o; o = Object.getPrototypeOf(o)) for (const k of Object.getOwnPropertyNames(o)) names.add(k);
    memberCache.set(proto, names);
  }
  return names;
}
