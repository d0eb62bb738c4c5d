/**
 * What KeyvStore needs from a Keyv adapter. Keys here are Keyv-level keys (after the Keyv
 * namespace prefix, before any prefix the adapter adds itself); values are the stored text.
 */
export interface KeyvDriver {
  /** "redis", "postgres", "sqlite" or "generic". */
  readonly kind: string;
  readonly atomicCas: boolean;
  /** Where the data lives, for messages (passwords removed). */
  readonly address: string;
  get(key: string): Promise<unknown>;
  getMany(keys: readonly string[]): Promise<unknown[]>;
  setMany(entries: ReadonlyArray<readonly [string, string]>): Promise<void>;
  deleteMany(keys: readonly string[]): Promise<void>;
  has(key: string): Promise<boolean>;
  /** Batches of keys starting with `prefix`, literally (no pattern characters). */
  scan(prefix: string): AsyncIterable<string[]>;
  /** Set `key` to `value` only if its stored text is `expected` (undefined: absent). */
  cas(key: string, value: string, expected: string | undefined): Promise<boolean>;
  /** Delete `key` only if its stored text is `expected`; as atomic as `cas`. */
  casDelete(key: string, expected: string): Promise<boolean>;
  /** One round trip, to check the server answers. */
  ping(): Promise<void>;
  /** Release connections this store owns. */
  close(): Promise<void>;
}

/** Keeps the last value of each key (later duplicates win, as in a sequence of sets). */
export function dedupe(entries: ReadonlyArray<readonly [string, string]>): Array<[string, string]> {
  const m = new Map<string, string>();
  for (const [k, v] of entries) m.set(k, v);
  return [...m];
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Removes the password from a connection URL before it goes into a message. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString().replace(/\/$/, "");
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@");
  }
}
