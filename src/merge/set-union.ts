import { decideTrivially, typeName } from "./trivial.ts";
import { canonicalKey } from "./equal.ts";
import type { ContentType, MergeContext, MergeFn } from "./merge-fn.ts";

export type SetLike<T = unknown> = T[] | Set<T>;

function items(value: unknown, side: string, ctx: MergeContext): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...value];
  throw new TypeError(`set-union merge of key ${JSON.stringify(ctx.key)}: ${side} is ${typeName(value)}; expected an array or a Set`);
}

/**
 * Three-way set merge: an element is in the result if both sides keep it or either side added
 * it; an element either side removed is gone. Elements are compared structurally
 * (`canonicalKey`), so decoded objects match. Order: theirs' elements in theirs' order, then
 * the elements only ours added, in ours' order. The result is a Set if theirs is a Set, else an
 * array (without duplicates).
 */
const setUnionMerge: MergeFn<SetLike> = (base, ours, theirs, ctx) => {
  const decided = decideTrivially(base, ours, theirs);
  if (decided) return decided.result;
  const b = new Set(items(base, "base", ctx).map(canonicalKey));
  const oItems = items(ours, "ours", ctx);
  const tItems = items(theirs, "theirs", ctx);
  const inOurs = new Set(oItems.map(canonicalKey));
  const taken = new Set<string>();
  const out: unknown[] = [];
  for (const x of tItems) {
    const k = canonicalKey(x);
    if (taken.has(k)) continue;
    taken.add(k);
    if (inOurs.has(k) || !b.has(k)) out.push(x);
  }
  for (const x of oItems) {
    const k = canonicalKey(x);
    if (taken.has(k)) continue;
    taken.add(k);
    if (!b.has(k)) out.push(x);
  }
  return theirs instanceof Set ? new Set(out) : out;
};

const SET_UNION: ContentType<SetLike> = Object.freeze({ name: "set-union", merge: setUnionMerge });

/** Content type `"set-union"`: three-way merge of arrays or Sets as sets. */
export function setUnion<T = unknown>(): ContentType<SetLike<T>> {
  return SET_UNION as ContentType<SetLike<T>>;
}
