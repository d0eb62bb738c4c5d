/**
 * Makes room in a bounded cache kept as a `Map` (insertion order = age): drops the oldest
 * half. Cheap, and what is still in use is simply read again.
 */
export function dropOldestHalf(map: Map<unknown, unknown>): void {
  let drop = map.size >> 1;
  for (const key of map.keys()) {
    if (drop-- <= 0) break;
    map.delete(key);
  }
}
