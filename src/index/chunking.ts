/**
 * Where index nodes end. A node closes after an item when the item's key hashes to a
 * boundary (probability 1/BOUNDARY_ODDS) once the node holds MIN_ITEMS, or when it
 * reaches MAX_ITEMS. The decision depends only on the key, the height and how many items
 * the open node already holds, so the tree is a pure function of the sorted key set
 * (history independence), and changing a value never moves a boundary.
 *
 * The minimum trims the long tail of small nodes and the size-biased average a random key
 * sees (which is what a single-key commit rewrites); the maximum bounds the worst case.
 */
export const MIN_ITEMS = 4;
export const BOUNDARY_ODDS = 8;
export const MAX_ITEMS = 64;

export function closesNode(key: string, height: number, itemCount: number): boolean {
  if (itemCount >= MAX_ITEMS) return true;
  if (itemCount < MIN_ITEMS) return false;
  return keyHash32(key, height) % BOUNDARY_ODDS === 0;
}

/** FNV-1a over UTF-16 code units, seeded by height, then murmur3's finaliser. */
export function keyHash32(key: string, height: number): number {
  let h = (0x811c9dc5 ^ Math.imul(height + 1, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
