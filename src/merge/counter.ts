import { decideTrivially, typeName } from "./trivial.ts";
import type { ContentType, MergeContext, MergeFn } from "./merge-fn.ts";

export type CounterValue = number | bigint;

/**
 * A counter: both sides' increments are kept, `ours + theirs - base`. A counter created on
 * both sides (absent in base) counts base as 0, so the two starting values add up. Numbers or
 * bigints (not mixed); a side that removed the key follows the shared absent rules
 * (`decideTrivially`): removed and unchanged gives removed, removed and changed keeps the change.
 */
const counterMerge: MergeFn<CounterValue> = (base, ours, theirs, ctx) => {
  const decided = decideTrivially(base, ours, theirs);
  if (decided) return decided.result;
  const o = ours as CounterValue;
  const t = theirs as CounterValue;
  if (typeof o === "bigint" || typeof t === "bigint" || typeof base === "bigint") {
    const b = base ?? 0n;
    check(ctx, "bigint", { base: b, ours: o, theirs: t });
    return (o as bigint) + (t as bigint) - (b as bigint);
  }
  const b = base ?? 0;
  check(ctx, "number", { base: b, ours: o, theirs: t });
  return (o as number) + (t as number) - (b as number);
};

function check(ctx: MergeContext, kind: "number" | "bigint", values: Record<string, unknown>): void {
  for (const [side, v] of Object.entries(values)) {
    if (typeof v !== kind) {
      throw new TypeError(
        `counter merge of key ${JSON.stringify(ctx.key)}: ${side} is ${typeName(v)}; a counter holds numbers or bigints (one kind, not both)`,
      );
    }
    if (kind === "number" && !Number.isFinite(v)) {
      throw new TypeError(`counter merge of key ${JSON.stringify(ctx.key)}: ${side} is ${String(v)}; a counter must be finite`);
    }
  }
}

const COUNTER: ContentType<CounterValue> = Object.freeze({ name: "counter", merge: counterMerge });

/** Content type `"counter"`: merges to `ours + theirs - base`. */
export function counter(): ContentType<CounterValue> {
  return COUNTER;
}
