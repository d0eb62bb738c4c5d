import { DELETE, type DeleteSentinel } from "./merge-fn.ts";
import { deepEqual } from "./equal.ts";

/**
 * The rules the built-in merges (except `jsonValue` and `lastWriterWins`) share before they
 * combine values. Returns the decision, or `undefined` when ours and theirs both hold a value,
 * both differ from base, and the content type combines them (base may still be absent).
 *
 * - a side left as in base (structurally equal): the other side's value, as a plain
 *   three-way merge would take it;
 * - absent on both sides: removed;
 * - created on one side only (absent in base and on the other side): that side's value;
 * - removed on one side, left as in base on the other: removed;
 * - removed on one side, changed on the other: the change wins (update-wins, as in add-wins
 *   CRDTs): the changed side's value is kept as it is.
 */
export function decideTrivially<T>(base: T | undefined, ours: T | undefined, theirs: T | undefined): { result: T | DeleteSentinel } | undefined {
  if (ours === undefined && theirs === undefined) return { result: DELETE };
  if (ours !== undefined && theirs !== undefined) {
    if (base === undefined) return undefined;
    if (deepEqual(ours, base)) return { result: theirs };
    if (deepEqual(theirs, base)) return { result: ours };
    return undefined;
  }
  const kept = (ours === undefined ? theirs : ours) as T;
  if (base !== undefined && deepEqual(kept, base)) return { result: DELETE };
  return { result: kept };
}

/** Describes a value's type for a merge error message. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Set) return "a Set";
  if (value instanceof Date) return "a Date";
  const t = typeof value;
  return t === "object" ? "an object" : `a ${t}`;
}

/** A short JSON-ish preview of a value for merge error messages. */
export function preview(value: unknown, max = 60): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
