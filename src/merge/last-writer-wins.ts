import { DELETE, type ContentType, type MergeFn } from "./merge-fn.ts";

/**
 * Takes theirs: the branch head's value when a commit merges (the side that landed first),
 * the merged-in source's value in `merge(source)`. Theirs absent means the key is removed.
 */
const lwwMerge: MergeFn = (_base, _ours, theirs) => (theirs === undefined ? DELETE : theirs);

const LWW: ContentType = Object.freeze({ name: "lww", merge: lwwMerge });

/** Content type `"lww"`: theirs wins (argument order is base, ours, theirs). */
export function lastWriterWins<T = unknown>(): ContentType<T> {
  return LWW as ContentType<T>;
}
