import { decideTrivially, typeName } from "./trivial.ts";
import type { ContentType, MergeContext, MergeFn } from "./merge-fn.ts";

export type Comparable = number | bigint | string | Date;

/** Both values of one comparable kind; returns a negative, zero or positive number. */
function compare(a: unknown, b: unknown, ctx: MergeContext, name: string): number {
  const kind = (v: unknown): string | undefined => {
    if (typeof v === "number") return Number.isNaN(v) ? undefined : "number";
    if (typeof v === "bigint" || typeof v === "string") return typeof v;
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : "Date";
    return undefined;
  };
  const ka = kind(a);
  const kb = kind(b);
  if (ka === undefined || ka !== kb) {
    throw new TypeError(
      `${name} merge of key ${JSON.stringify(ctx.key)}: cannot compare ${typeName(a)} with ${typeName(b)}; ` +
        "both sides must hold numbers (not NaN), bigints, strings or valid Dates of one kind",
    );
  }
  const x = a instanceof Date ? a.getTime() : (a as number | bigint | string);
  const y = b instanceof Date ? b.getTime() : (b as number | bigint | string);
  return x < y ? -1 : x > y ? 1 : 0;
}

function extremum(name: "max" | "min"): ContentType<Comparable> {
  const merge: MergeFn<Comparable> = (base, ours, theirs, ctx) => {
    const decided = decideTrivially(base, ours, theirs);
    if (decided) return decided.result;
    const c = compare(ours, theirs, ctx, name);
    // ties take theirs, like lww; base is ignored: the result is one of the values the sides hold
    if (name === "max") return c > 0 ? (ours as Comparable) : (theirs as Comparable);
    return c < 0 ? (ours as Comparable) : (theirs as Comparable);
  };
  return Object.freeze({ name, merge });
}

const MAX = extremum("max");
const MIN = extremum("min");

/** Content type `"max"`: the larger of ours and theirs (numbers, bigints, strings or Dates). */
export function max(): ContentType<Comparable> {
  return MAX;
}

/** Content type `"min"`: the smaller of ours and theirs (numbers, bigints, strings or Dates). */
export function min(): ContentType<Comparable> {
  return MIN;
}
