import { checkKey } from "./store-context.ts";
import { describeValue } from "../versioned/commit-object.ts";

/**
 * Checks `commit()`'s options before anything is read or written: a wrong type is a
 * TypeError, a wrong value a RangeError, each naming the option and what it takes.
 * (`message` and `info` are checked by the engine, for every caller.) Returns the `keys`
 * option as a set, checked key by key, or undefined.
 */
export function checkCommitOptions(opts: unknown): Set<string> | undefined {
  checkOptionsObject(opts, "commit()", "{ message?, info?, keys?, mergeFns?, defaultMerge?, onConflict? }", typeof opts === "string" ? `; for a message write commit({ message: ${JSON.stringify(opts)} })` : "");
  const o = opts as Record<string, unknown>;
  if (o.onConflict !== undefined && o.onConflict !== "raise" && o.onConflict !== "abandon") {
    throw new RangeError(`commit() option "onConflict" must be "raise" or "abandon", got ${describeValue(o.onConflict)}`);
  }
  checkMergeOptions(o, "commit()");
  return o.keys === undefined ? undefined : checkedKeySet(o.keys, `commit() option "keys"`);
}

/** An option that lists keys: an iterable (not a string) of valid keys, as a set. */
export function checkedKeySet(value: unknown, option: string): Set<string> {
  if (typeof value === "string" || typeof (value as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== "function") {
    throw new TypeError(`${option} must be an iterable of key strings (an array or a Set), got ${describeValue(value)}`);
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
    if (fns === null || typeof fns !== "object" || Array.isArray(fns)) throw new TypeError(`${where} option "mergeFns" must be an object mapping keys to merge functions, got ${describeValue(fns)}`);
    for (const [key, fn] of Object.entries(fns)) {
      if (typeof fn !== "function") throw new TypeError(`${where} option "mergeFns": the merge function for ${JSON.stringify(key)} must be a function (base, ours, theirs, ctx) => merged, got ${describeValue(fn)}`);
    }
  }
  if (o.defaultMerge !== undefined && typeof o.defaultMerge !== "function") {
    throw new TypeError(`${where} option "defaultMerge" must be a function (base, ours, theirs, ctx) => merged, got ${describeValue(o.defaultMerge)}`);
  }
}

/** A TypeError unless `opts` is an options object; `shape` lists what `call` takes. */
export function checkOptionsObject(opts: unknown, call: string, shape: string, hint = ""): void {
  if (opts === null || typeof opts !== "object") throw new TypeError(`${call} takes an options object (${shape}), got ${describeValue(opts)}${hint}`);
}
