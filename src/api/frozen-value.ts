/**
 * Values read from a store's committed state are snapshots. JSON-like values (plain
 * objects, arrays and primitives, no cycles) are decoded once, deep-frozen and shared
 * between reads: cheap to read again, and a mutation that could never reach the store
 * throws instead of silently diverging from it. Other values (Map, Set, Date, class
 * instances, ...) cannot be frozen meaningfully and are decoded afresh on every read.
 */
export function freezeIfJsonLike(value: unknown): boolean {
  if (!isJsonLike(value, 0)) return false;
  deepFreezeJson(value);
  return true;
}

/** Deep-freezes a value known to be JSON-like (freezing a part seen twice is harmless). */
export function deepFreezeJson(value: unknown): void {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreezeJson(value[i]);
  } else {
    for (const k in value) deepFreezeJson((value as Record<string, unknown>)[k]);
  }
  Object.freeze(value);
}

function isJsonLike(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== "object") return typeof value !== "function" && typeof value !== "symbol";
  if (depth > 64) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isJsonLike(value[i], depth + 1)) return false;
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const k in value) if (!isJsonLike((value as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}
