/**
 * V8 gives the objects of a class their hidden classes ("maps") through transitions that
 * it holds only weakly: once every object of a shape is garbage, the shape dies, and all
 * optimised code specialised on it is thrown away ("deoptimization, reason: weak
 * objects"). For classes instantiated per operation (a diff walk, a tree builder, a write
 * batch) or per store object, that happens at every garbage collection between two
 * operations, and the next one runs cold. Keeping one instance
 * of each such class alive for the life of the process keeps its shapes, for a few bytes.
 */
const anchors: object[] = [];

/** Keeps `instance` alive for the life of the process (see above); returns it. */
export function keepShapeAlive<T extends object>(instance: T): T {
  anchors.push(instance);
  return instance;
}
