/**
 * Content types by name. A merge policy is stored with a branch as a content type *name*
 * (SPEC §5.5); each process finds the type again here: built-ins are always present, custom
 * ones are registered at start-up with `registerContentType`.
 */
import { NotSupportedError } from "../errors.ts";
import { appendLog } from "./append-log.ts";
import { counter } from "./counter.ts";
import { max, min } from "./extremes.ts";
import { jsonValue } from "./json-value.ts";
import { lastWriterWins } from "./last-writer-wins.ts";
import type { ContentType } from "./merge-fn.ts";
import { setUnion } from "./set-union.ts";

const builtinFactories: Record<string, () => ContentType> = {
  "append-log": appendLog,
  counter,
  json: jsonValue,
  lww: lastWriterWins,
  max,
  min,
  "set-union": setUnion,
};

/** Names of the built-in content types, sorted. */
export const builtinContentTypeNames: readonly string[] = Object.freeze(Object.keys(builtinFactories).sort());

const registry = new Map<string, ContentType>();
for (const name of builtinContentTypeNames) registry.set(name, builtinFactories[name]!());

/** The built-in content type called `name`, recreated from its name; `undefined` for other names. */
export function builtinContentType(name: string): ContentType | undefined {
  return Object.prototype.hasOwnProperty.call(builtinFactories, name) ? builtinFactories[name]!() : undefined;
}

/** Throws a `TypeError` naming `argName` unless `ct` is a well-formed content type. */
export function assertContentType(ct: unknown, argName = "contentType"): asserts ct is ContentType {
  const problems: string[] = [];
  if (typeof ct !== "object" || ct === null) {
    throw new TypeError(`${argName} must be a content type { name, merge, encode?, decode? }, got ${ct === null ? "null" : typeof ct}`);
  }
  const c = ct as Partial<ContentType>;
  if (typeof c.name !== "string" || c.name.length === 0) problems.push("name must be a non-empty string");
  if (typeof c.merge !== "function") problems.push("merge must be a function (base, ours, theirs, ctx) => merged");
  if (c.encode !== undefined && typeof c.encode !== "function") problems.push("encode must be a function");
  if (c.decode !== undefined && typeof c.decode !== "function") problems.push("decode must be a function");
  if ((c.encode === undefined) !== (c.decode === undefined)) problems.push("encode and decode come together (give both or neither)");
  if (problems.length) throw new TypeError(`${argName}: ${problems.join("; ")}`);
}

/**
 * Makes `ct` findable by its name in this process. Call it at start-up in every process that
 * opens a store whose merge policies name it. Registering the same object again is a no-op;
 * another object under a taken name is a `TypeError` unless `replace` is set; built-in names
 * cannot be replaced.
 */
export function registerContentType<T>(ct: ContentType<T>, options: { replace?: boolean } = {}): ContentType<T> {
  assertContentType(ct, "registerContentType: ct");
  const existing = registry.get(ct.name);
  if (existing === ct) return ct;
  if (builtinContentType(ct.name) !== undefined) {
    throw new TypeError(`registerContentType: ${JSON.stringify(ct.name)} is a built-in content type name; give yours another name`);
  }
  if (existing !== undefined && !options.replace) {
    throw new TypeError(
      `registerContentType: a different content type is already registered as ${JSON.stringify(ct.name)}; ` +
        "names must be unique (pass { replace: true } to replace it)",
    );
  }
  registry.set(ct.name, ct as ContentType);
  return ct;
}

/** Removes a custom content type (built-ins stay). Says whether one was removed. */
export function unregisterContentType(name: string): boolean {
  if (builtinContentType(name) !== undefined) return false;
  return registry.delete(name);
}

/** True when `getRegisteredContentType(name)` would succeed. */
export function hasContentType(name: string): boolean {
  return registry.has(name);
}

/** Whether `name` is registered here as a type with an encoding of its own (encode/decode). */
export function hasOwnEncoding(name: string): boolean {
  return registry.get(name)?.encode !== undefined;
}

/** Every registered content type name (built-ins included), sorted. */
export function registeredContentTypeNames(): string[] {
  return [...registry.keys()].sort();
}

/**
 * The content type registered as `name`. An unknown name is a `NotSupportedError`: a merge
 * policy names a type this process has not registered.
 */
export function getRegisteredContentType(name: string): ContentType {
  const ct = registry.get(name);
  if (ct !== undefined) return ct;
  throw new NotSupportedError(
    `content type ${JSON.stringify(name)} is not registered in this process: a merge policy stored with the branch names it. ` +
      `Call registerContentType(ct) with a content type named ${JSON.stringify(name)} at start-up, before merging ` +
      `(built-ins: ${builtinContentTypeNames.join(", ")}).`,
    { contentType: name },
  );
}
