import type { Codec } from "../codec/codec.ts";
import type { Commit } from "../versioned/commit-object.ts";
import type { Versioned } from "../versioned/versioned.ts";
import { KeyError } from "../errors.ts";
import type { WorkingCopyMode } from "./load-committed.ts";

/** What every store object opened from one `store()` call shares. */
export interface StoreContext {
  readonly versioned: Versioned;
  readonly codec: Codec;
  /** Rebase thresholds (bytes of encoded values), when GC by rebase is on. */
  readonly water?: { readonly high: number; readonly low: number };
  /** How store objects hold the committed state (default "auto"; see load-committed.ts). */
  readonly workingCopy?: WorkingCopyMode;
}

export interface CommitInfo {
  id: string;
  parents: string[];
  /** Milliseconds since the epoch. */
  time: number;
  message?: string;
  /**
   * Plain JSON-like data as decoded from the commit's bytes: the same in every process, and
   * deep-frozen (shared by every reader), so it can't be changed after the commit.
   */
  info?: Readonly<Record<string, unknown>>;
}

export function commitInfoOf(c: Commit): CommitInfo {
  const out: CommitInfo = { id: c.id, parents: [...c.parents], time: c.time };
  if (c.message !== undefined) out.message = c.message;
  if (c.info !== undefined) out.info = c.info;
  return out;
}

/** Throws TypeError naming the key when it cannot be a key. */
/**
 * For reads: a key must be a non-empty string (TypeError otherwise). A key that is not
 * well-formed Unicode simply is not there — no write can have stored it.
 */
export function checkReadKey(key: unknown): asserts key is string {
  if (typeof key !== "string" || key.length === 0) checkKey(key);
}

/** For writes: a non-empty, well-formed string; TypeError naming the key otherwise. */
export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== "string") {
    throw new TypeError(`keys must be non-empty strings, got ${typeof key === "symbol" ? "a symbol" : `${typeof key} ${String(key)}`}`);
  }
  if (key.length === 0) throw new TypeError(`keys must be non-empty strings, got the empty string ""`);
  if (!key.isWellFormed()) throw new TypeError(`key ${JSON.stringify(key)} contains a lone surrogate; keys must be well-formed Unicode`);
}

export function missingKey(key: string): KeyError {
  return new KeyError(key);
}
