/**
 * A string -> number index: open addressing with linear probing in a typed array, and a
 * hash computed in JS. Faster than a `Map` for strings it has not seen hashed before (a
 * `Map` hashes every new string object in full, then inserts through a runtime call): the
 * working copy inserts every key of a store when it opens, and looks up every value id.

 */
export class StringIndex {
  /** Entry number + 1 per table position; 0 is empty. Capacity is a power of 2, at most half full. */
  private table = new Int32Array(16);
  private readonly keyOf: (string | undefined)[] = [];
  private readonly valueOf: number[] = [];
  private readonly freeEntries: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(key: string): boolean {
    return this.find(key) >= 0;
  }

  get(key: string): number | undefined {
    const entry = this.find(key);
    return entry < 0 ? undefined : this.valueOf[entry];
  }

  set(key: string, value: number): void {
    const existing = this.find(key);
    if (existing >= 0) {
      this.valueOf[existing] = value;
      return;
    }
    if ((this.count + 1) * 2 > this.table.length) this.grow();
    const entry = this.freeEntries.length > 0 ? this.freeEntries.pop()! : this.keyOf.length;
    this.keyOf[entry] = key;
    this.valueOf[entry] = value;
    this.place(entry);
    this.count++;
  }

  /** Removes `key`; returns its value, or undefined if absent. */
  delete(key: string): number | undefined {
    const table = this.table;
    const mask = table.length - 1;
    let i = this.hashOf(key) & mask;
    for (;;) {
      const e = table[i];
      if (e === 0) return undefined;
      if (this.keyOf[e - 1] === key) break;
      i = (i + 1) & mask;
    }
    const entry = table[i] - 1;
    // Backward-shift deletion: move later entries of the run into the gap.
    let gap = i;
    for (let j = (i + 1) & mask; table[j] !== 0; j = (j + 1) & mask) {
      const home = this.hashOf(this.keyOf[table[j] - 1]!) & mask;
      if (((j - home) & mask) >= ((j - gap) & mask)) {
        table[gap] = table[j];
        gap = j;
      }
    }
    table[gap] = 0;
    const value = this.valueOf[entry];
    this.keyOf[entry] = undefined;
    this.freeEntries.push(entry);
    this.count--;
    return value;
  }

  *entries(): IterableIterator<[string, number]> {
    for (let e = 0; e < this.keyOf.length; e++) {
      const key = this.keyOf[e];
      if (key !== undefined) yield [key, this.valueOf[e]];
    }
  }

  *keys(): IterableIterator<string> {
    for (const key of this.keyOf) if (key !== undefined) yield key;
  }

  *values(): IterableIterator<number> {
    for (let e = 0; e < this.keyOf.length; e++) if (this.keyOf[e] !== undefined) yield this.valueOf[e];
  }

  /** Entry number of `key`, or -1. */
  private find(key: string): number {
    const table = this.table;
    const mask = table.length - 1;
    for (let i = this.hashOf(key) & mask; ; i = (i + 1) & mask) {
      const e = table[i];
      if (e === 0) return -1;
      if (this.keyOf[e - 1] === key) return e - 1;
    }
  }

  private place(entry: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let i = this.hashOf(this.keyOf[entry]!) & mask;
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = entry + 1;
  }

  /** FNV-1a over the key and its length, then mixed. */
  private hashOf(key: string): number {
    let h = key.length ^ 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    return h ^ (h >>> 12);
  }

  private grow(): void {
    this.table = new Int32Array(this.table.length * 2);
    for (let e = 0; e < this.keyOf.length; e++) if (this.keyOf[e] !== undefined) this.place(e);
  }
}
