/**
 * The types of every value met in `v`, as plain JSON-able data: compared across processes,
 * it shows an object that came back as a Map, a Set as an array, an instance of a class.
 */
export function shapeOf(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v === undefined ? "undefined" : typeof v;
  if (Array.isArray(v)) return v.map(shapeOf);
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return `instance of ${(proto as { constructor?: { name?: string } }).constructor?.name}`;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shapeOf(x)]));
}
