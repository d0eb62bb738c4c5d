import { decideTrivially, typeName } from "./trivial.ts";
import { deepEqual } from "./equal.ts";
import type { ContentType, MergeContext, MergeFn } from "./merge-fn.ts";

function asArray(value: unknown, side: string, ctx: MergeContext): unknown[] {
  if (Array.isArray(value)) return value;
  throw new TypeError(`append-log merge of key ${JSON.stringify(ctx.key)}: ${side} is ${typeName(value)}; expected an array`);
}

/**
 * An append-only log: `base + theirs' appended entries + ours' appended entries`. Theirs come
 * first because theirs is already on the branch: ours are appended after it, as a rebase would.
 * Entries both sides appended are kept twice (two writers each logged them). A side that
 * changed or removed entries of base is not an append: the merge throws, so it is a conflict.
 */
const appendLogMerge: MergeFn<unknown[]> = (base, ours, theirs, ctx) => {
  const decided = decideTrivially(base, ours, theirs);
  if (decided) return decided.result;
  const b = base === undefined ? [] : asArray(base, "base", ctx);
  const o = asArray(ours, "ours", ctx);
  const t = asArray(theirs, "theirs", ctx);
  for (const [side, log] of [["ours", o], ["theirs", t]] as const) {
    if (log.length < b.length || !b.every((entry, i) => deepEqual(entry, log[i]))) {
      throw new Error(
        `append-log merge of key ${JSON.stringify(ctx.key)}: ${side} changed or removed entries of the log ` +
          `(it does not start with the ${b.length} base entries), so it is not an append`,
      );
    }
  }
  return [...t, ...o.slice(b.length)];
};

const APPEND_LOG: ContentType<unknown[]> = Object.freeze({ name: "append-log", merge: appendLogMerge });

/** Content type `"append-log"`: keeps both sides' appended entries (theirs first, then ours). */
export function appendLog<T = unknown>(): ContentType<T[]> {
  return APPEND_LOG as ContentType<T[]>;
}
