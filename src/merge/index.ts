export { DELETE, type ContentType, type DeleteSentinel, type MergeContext, type MergeFn } from "./merge-fn.ts";
export { appendLog } from "./append-log.ts";
export { counter, type CounterValue } from "./counter.ts";
export { max, min, type Comparable } from "./extremes.ts";
export { jsonThreeWayMerge, jsonValue, type JsonValue } from "./json-value.ts";
export { lastWriterWins } from "./last-writer-wins.ts";
export { setUnion, type SetLike } from "./set-union.ts";
export { decideTrivially } from "./trivial.ts";
export { canonicalKey, deepEqual } from "./equal.ts";
export {
  assertContentType,
  builtinContentType,
  builtinContentTypeNames,
  getRegisteredContentType,
  hasContentType,
  registerContentType,
  registeredContentTypeNames,
  unregisterContentType,
} from "./registry.ts";
