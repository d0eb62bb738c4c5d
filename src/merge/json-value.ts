import { jsonCodec } from "../codec/json.ts";
import { pathStep } from "../codec/describe.ts";
import { preview } from "./trivial.ts";
import { deepEqual, isPlainObject, ownValue } from "./equal.ts";
import { DELETE, type ContentType, type MergeContext, type MergeFn } from "./merge-fn.ts";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Recursive three-way merge of JSON values: a part changed on one side only takes that side;
 * plain objects changed on both sides are merged key by key; anything else changed on both
 * sides to different values (a removal against a change included) throws, naming the path, so
 * the caller reports a conflict. Arrays are values: they are not merged element by element.
 */
export const jsonThreeWayMerge: MergeFn<JsonValue> = (base, ours, theirs, ctx) => {
  const merged = mergeAt(base, ours, theirs, "", ctx);
  return merged === undefined ? DELETE : merged;
};

function mergeAt(base: unknown, ours: unknown, theirs: unknown, path: string, ctx: MergeContext): JsonValue | undefined {
  if (deepEqual(ours, theirs)) return ours as JsonValue | undefined;
  if (deepEqual(base, ours)) return theirs as JsonValue | undefined;
  if (deepEqual(base, theirs)) return ours as JsonValue | undefined;
  if (isPlainObject(ours) && isPlainObject(theirs) && (base === undefined || isPlainObject(base))) {
    const b = base ?? {};
    const keys = [...Object.keys(theirs), ...Object.keys(ours).filter((k) => !Object.prototype.hasOwnProperty.call(theirs, k))];
    const out: Record<string, JsonValue> = {};
    for (const k of keys) {
      const merged = mergeAt(ownValue(b, k), ownValue(ours, k), ownValue(theirs, k), path + pathStep(k), ctx);
      if (merged !== undefined) Object.defineProperty(out, k, { value: merged, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  const what = (v: unknown) => (v === undefined ? "(removed)" : preview(v));
  throw new Error(
    `json merge of key ${JSON.stringify(ctx.key)}: both sides changed ${path ? `value${path}` : "the value"} differently ` +
      `(base ${what(base)}, ours ${what(ours)}, theirs ${what(theirs)})`,
  );
}

const JSON_VALUE: ContentType<JsonValue> = Object.freeze({
  name: "json",
  encode: (value: JsonValue) => jsonCodec.encode(value),
  decode: (bytes: Uint8Array) => jsonCodec.decode(bytes) as JsonValue,
  merge: jsonThreeWayMerge,
});

/**
 * Content type storing a JSON value (with the json codec, whatever the store's codec). Without
 * `mergeFn` it is the built-in `"json"`, merged by `jsonThreeWayMerge`. With `mergeFn` it merges
 * with that function and is named `name`, by default `"json:" + mergeFn.name`; a merge policy is
 * found by name in other processes, so register it there with `registerContentType`.
 */
export function jsonValue<T extends JsonValue = JsonValue>(mergeFn?: MergeFn<T>, name?: string): ContentType<T> {
  if (mergeFn === undefined) {
    if (name !== undefined && name !== "json") throw new TypeError("jsonValue: a name is only given together with a merge function");
    return JSON_VALUE as unknown as ContentType<T>;
  }
  if (typeof mergeFn !== "function") throw new TypeError("jsonValue: mergeFn must be a function (base, ours, theirs, ctx) => merged");
  const resolved = name ?? (mergeFn.name ? `json:${mergeFn.name}` : undefined);
  if (resolved === undefined || resolved.length === 0) {
    throw new TypeError(
      "jsonValue: the merge function is anonymous; pass a name (jsonValue(fn, \"json:my-merge\")) so the policy can be stored and found by name",
    );
  }
  if (resolved === "json") throw new TypeError('jsonValue: "json" is the built-in with the default merge; give a custom merge its own name');
  return Object.freeze({ name: resolved, encode: JSON_VALUE.encode, decode: JSON_VALUE.decode, merge: mergeFn }) as ContentType<T>;
}
