import { checkKey } from "./store-context.ts";

/**
 * Checks `commit()`'s options before anything is read or written: a wrong type is a
 * TypeError, a wrong value a RangeError, each naming the option and what it takes.
 * (`message` and `info` are checked by the engine, for every caller.) Returns the `keys`
 * option as a set, checked key by key, or undefined.
 */
export function checkCommitOptions(opts: unknown): Set<string> | undefined {
  if (opts === null || typeof opts !== "object") {
    throw new TypeError(
      `commit() takes an options object ({ message?, info?, keys?, mergeFns?, defaultMerge?, onConflict? }), got ${describe(opts)}` +
        (typeof opts === "string" ? `; for a message write commit({ message: ${JSON.stringify(opts)} })` : ""),
    );
  }
  const o = opts as Record<string, unknown>;
  if (o.onConflict !== undefined && o.onConflict !== "raise" && o.onConflict !== "abandon") {
    throw new RangeError(`commit() option "onConflict" must be "raise" or "abandon", got ${describe(o.onConflict)}`);
  }
  checkMergeOptions(o, "commit()");
  return o.keys === undefined ? undefined : checkedKeySet(o.keys, `commit() option "keys"`);
}

/** An option that lists keys: an iterable (not a string) of valid keys, as a set. */
export function checkedKeySet(value: unknown, option: string): Set<string> {
  if (typeof value === "string" || typeof (value as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== "function") {
    throw new TypeError(`${option} must be an iterable of key strings (an array or a Set), got ${describe(value)}`);
  }
  const keys = new Set<string>();
  for (const key of value as Iterable<unknown>) {
    checkKey(key);
    keys.add(key as string);
  }
  return keys;
}

/** `mergeFns` (a record of functions) and `defaultMerge` (a function), as commit() takes them. */
export function checkMergeOptions(o: Record<string, unknown>, where: string): void {
  const fns = o.mergeFns;
  if (fns !== undefined) {
    if (fns === null || typeof fns !== "object" || Array.isArray(fns)) throw new TypeError(`${where} option "mergeFns" must be an object mapping keys to merge functions, got ${describe(fns)}`);
    for (const [key, fn] of Object.entries(fns)) {
      if (typeof fn !== "function") throw new TypeError(`${where} option "mergeFns": the merge function for ${JSON.stringify(key)} must be a function (base, ours, theirs, ctx) => merged, got ${describe(fn)}`);
    }
  }
  if (o.defaultMerge !== undefined && typeof o.defaultMerge !== "function") {
    throw new TypeError(`${where} option "defaultMerge" must be a function (base, ours, theirs, ctx) => merged, got ${describe(o.defaultMerge)}`);
  }
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  if (typeof v === "object") return Array.isArray(v) ? "an array" : "an object";
  return `${typeof v} ${String(v)}`;
}
