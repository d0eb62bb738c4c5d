/** The shape of a Keyv instance, checked without loading Keyv or any adapter. */
export interface KeyvLike {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<unknown>;
  delete(key: string): Promise<unknown>;
  readonly store?: unknown;
  readonly opts?: { store?: unknown; namespace?: string };
  readonly namespace?: string;
  readonly useKeyPrefix?: boolean;
  on?(event: string, listener: (...args: unknown[]) => void): unknown;
  disconnect?(): Promise<unknown>;
}

/** True for an object with Keyv's get/set/delete and a storage adapter. */
export function isKeyvLike(x: unknown): x is KeyvLike {
  const k = x as Partial<KeyvLike> | null;
  return (
    k !== null &&
    typeof k === "object" &&
    typeof k.get === "function" &&
    typeof k.set === "function" &&
    typeof k.delete === "function" &&
    (typeof k.store === "object" || typeof k.opts?.store === "object")
  );
}
