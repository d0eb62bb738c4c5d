/**
 * Every error kvgit raises on purpose extends `KvgitError`: a stable `code`, a structured
 * `data` payload and a `toJSON` that keeps both (isomorphic-git style). Argument errors are
 * plain `TypeError` / `RangeError` naming the argument.
 */

export type ErrorData = Record<string, unknown>;

export class KvgitError extends Error {
  readonly code: string;
  readonly data: ErrorData;

  constructor(code: string, message: string, data: ErrorData = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.data = data;
  }

  toJSON(): { name: string; code: string; message: string; data: ErrorData } {
    return { name: this.name, code: this.code, message: this.message, data: jsonSafe(this.data) as ErrorData };
  }
}

/** A key that is absent (like Python's KeyError). */
export class KeyError extends KvgitError {
  readonly key: string;
  constructor(key: string, message = `key ${JSON.stringify(key)} is not in the store`) {
    super("KEY_NOT_FOUND", message, { key });
    this.key = key;
  }
}

/** The branch head kept moving: the commit could not land within its retry budget. */
export class ConcurrencyError extends KvgitError {
  constructor(message: string, data: ErrorData = {}) {
    super("CONCURRENCY", message, data);
  }
}

export interface Conflict {
  key: string;
  base: unknown;
  ours: unknown;
  theirs: unknown;
}

/** Keys changed on both sides with no merge function to decide them (or one that threw). */
export class MergeConflict extends KvgitError {
  readonly conflictingKeys: string[];
  readonly mergeErrors: Record<string, Error>;
  readonly conflicts: Conflict[];

  constructor(conflicts: Conflict[], mergeErrors: Record<string, Error> = {}, message?: string) {
    const conflictingKeys = conflicts.map((c) => c.key).sort();
    const failed = Object.keys(mergeErrors).sort();
    super(
      "MERGE_CONFLICT",
      message ??
        `merge conflict on ${conflictingKeys.length} key(s): ${preview(conflictingKeys)}` +
          (failed.length ? `; merge function failed for ${preview(failed)}` : "") +
          ". Register a merge function (setMergeFn / setContentType) for these keys, or pass onConflict: \"abandon\".",
      { conflictingKeys, failedKeys: failed },
    );
    this.conflictingKeys = conflictingKeys;
    this.mergeErrors = mergeErrors;
    this.conflicts = [...conflicts].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

/** The operation is not available on this kind of store (e.g. versioning on `Live`). */
export class NotSupportedError extends KvgitError {
  constructor(message: string, data: ErrorData = {}) {
    super("NOT_SUPPORTED", message, data);
  }
}

/** A ref (branch name, commit id or id prefix) that is unknown or ambiguous. */
export class RefError extends KvgitError {
  readonly ref: string;
  constructor(ref: string, message: string, data: ErrorData = {}) {
    super("BAD_REF", message, { ref, ...data });
    this.ref = ref;
  }
}

/** Data in the backend that is not a kvgit store, is corrupt, or is of a newer format. */
export class FormatError extends KvgitError {
  constructor(message: string, data: ErrorData = {}) {
    super("BAD_FORMAT", message, data);
  }
}

/** A value the codec cannot encode (or bytes it cannot decode); names the key. */
export class CodecError extends KvgitError {
  readonly key: string | undefined;
  constructor(message: string, data: ErrorData & { key?: string } = {}, options?: { cause?: unknown }) {
    super("CODEC", message, data, options);
    this.key = data.key;
  }
}

/** The backend failed (connection lost, I/O error, ...); wraps the cause. */
export class BackendError extends KvgitError {
  constructor(message: string, data: ErrorData = {}, options?: { cause?: unknown }) {
    super("BACKEND", message, data, options);
  }
}

function preview(keys: string[], max = 10): string {
  const shown = keys.slice(0, max).map((k) => JSON.stringify(k)).join(", ");
  return keys.length > max ? `${shown}, ... (${keys.length - max} more)` : shown;
}

function jsonSafe(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v);
    return out;
  }
  if (typeof value === "bigint") return value.toString();
  return value;
}
