/** Returned by a merge function to remove the key from the merged result. */
export const DELETE: unique symbol = Symbol.for("kvgit.DELETE");
export type DeleteSentinel = typeof DELETE;

export interface MergeContext {
  key: string;
}

/**
 * Decides a key changed on both sides of a three-way merge. Works on decoded values; any of
 * the three may be `undefined` (absent on that side). Return `DELETE` to remove the key.
 */
export type MergeFn<T = any> = (
  base: T | undefined,
  ours: T | undefined,
  theirs: T | undefined,
  ctx: MergeContext,
) => T | DeleteSentinel;

/**
 * A named merge policy, optionally with its own encoding. Named so it can be stored with a
 * branch and found again by name in another process (SPEC §5.5).
 */
export interface ContentType<T = any> {
  readonly name: string;
  encode?(value: T): Uint8Array;
  decode?(bytes: Uint8Array): T;
  merge: MergeFn<T>;
}
