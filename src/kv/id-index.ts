/**
 * A key -> slot index for buckets whose keys are content ids (40 lowercase hex
 * characters, kvgit's `v/`, `n/` and `c/`), with no heap object per entry: each id is
 * kept as five int32 words beside its slot in one growing `Int32Array`, and the
 * open-addressing table is an `Int32Array` too. A store of millions of objects therefore
 * gives the garbage collector a handful of typed arrays to look at instead of millions of
 * strings; with strings, every full collection left the collector's helper threads
 * busy for tens of milliseconds afterwards, competing with the application for the CPU.
 *
 * Keys that are not in that form (the KV store accepts any key) go to a plain `Map`, so
 * the index is exact for every key; only id-shaped keys are packed.
 */
const ID_CHARS = 40;
const ID_BYTES = 20;
/** An id as int32 words (`wordAt`). */
const ID_WORDS = 5;
/** An entry's record: the id's words, then its slot. */
const RECORD_WORDS = ID_WORDS + 1;

/** Index of an entry's slot in the records read as int32s. */
function slotIndex(entry: number): number {
  return entry * RECORD_WORDS + ID_WORDS;
}

/**
 * Byte value of each pair of lowercase hex digits, indexed by the two character codes
 * (first << 8 | second), -1 for any other pair: parsing an id costs 20 lookups.
 */
const HEX_PAIR = (() => {
  const table = new Int16Array(1 << 16).fill(-1);
  const digits = "0123456789abcdef";
  for (let hi = 0; hi < 16; hi++) for (let lo = 0; lo < 16; lo++) table[(digits.charCodeAt(hi) << 8) | digits.charCodeAt(lo)] = (hi << 4) | lo;
  return table;
})();

function mixWords(head: number, tail: number): number {
  const h = Math.imul(head ^ Math.imul(tail, 0x9e3779b1), 0x85ebca6b);
  return h ^ (h >>> 15);
}

/**
 * The 4 bytes at `base` of `b` as a little-endian int32: how a record holds an id (5 such
 * words), so a lookup compares an id with a record in 5 steps instead of 20.
 */
function wordAt(b: Uint8Array, base: number): number {
  return b[base] | (b[base + 1] << 8) | (b[base + 2] << 16) | (b[base + 3] << 24);
}

export class IdIndex {
  /** Entry number + 1 per table position; 0 is empty. Capacity is a power of 2, at most half full. */
  private table = new Int32Array(16);
  /**
   * One record of 6 int32s per entry, side by side so a read touches one cache line: the
   * id's 20 bytes as 5 words (`wordAt`), then the slot (-1 marks a free entry).
   */
  private words = new Int32Array(8 * RECORD_WORDS);
  /** Entries ever used (live or free). */
  private entryTop = 0;
  private readonly freeEntries: number[] = [];
  private packed = 0;
  private readonly others = new Map<string, number>();
  /** The id being looked up, parsed. */
  private readonly probe = new Uint8Array(ID_BYTES);

  get size(): number {
    return this.packed + this.others.size;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  get(key: string): number | undefined {
    if (this.parse(key)) return this.getRaw(this.probe, 0);
    // A key that is not a lowercase hex id lives in `others` (and a valid id never does).
    return this.others.size === 0 ? undefined : this.others.get(key);
  }

  set(key: string, slot: number): this {
    if (!Number.isInteger(slot) || slot < 0 || slot > 0x7fffffff) throw new RangeError(`IdIndex slots are int32 >= 0, got ${slot}`);
    if (!this.parse(key)) {
      this.others.set(key, slot);
      return this;
    }
    const existing = this.positionOf(this.probe, 0);
    if (existing >= 0) {
      this.words[slotIndex(this.table[existing] - 1)] = slot;
      return this;
    }
    if ((this.packed + 1) * 2 > this.table.length) this.grow();
    const entry = this.freeEntries.length > 0 ? this.freeEntries.pop()! : this.newEntry();
    const base = entry * RECORD_WORDS;
    for (let k = 0; k < ID_WORDS; k++) this.words[base + k] = wordAt(this.probe, 4 * k);
    this.words[slotIndex(entry)] = slot;
    this.place(entry);
    this.packed++;
    return this;
  }

  /** `get` of the id whose 20 bytes start at `offset` of `bytes`. */
  getRaw(bytes: Uint8Array, offset: number): number | undefined {
    if (offset < 0 || offset + ID_BYTES > bytes.length) return undefined;
    const i = this.positionOf(bytes, offset);
    return i < 0 ? undefined : this.words[slotIndex(this.table[i] - 1)];
  }

  /** Removes `key`; true if it was there. */
  delete(key: string): boolean {
    if (!this.parse(key)) return this.others.delete(key);
    const i = this.positionOf(this.probe, 0);
    if (i < 0) return false;
    const table = this.table;
    const mask = table.length - 1;
    const entry = table[i] - 1;
    // Backward-shift deletion: move later entries of the run into the gap.
    let gap = i;
    for (let j = (i + 1) & mask; table[j] !== 0; j = (j + 1) & mask) {
      const home = this.hashOfEntry(table[j] - 1) & mask;
      if (((j - home) & mask) >= ((j - gap) & mask)) {
        table[gap] = table[j];
        gap = j;
      }
    }
    table[gap] = 0;
    this.words[slotIndex(entry)] = -1;
    this.freeEntries.push(entry);
    this.packed--;
    return true;
  }

  *entries(): IterableIterator<[string, number]> {
    for (let e = 0; e < this.entryTop; e++) if (this.words[slotIndex(e)] >= 0) yield [this.idOf(e), this.words[slotIndex(e)]];
    yield* this.others;
  }

  *keys(): IterableIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  /** Parses an id-shaped key into `probe`; false for any other key. */
  private parse(key: string): boolean {
    if (key.length !== ID_CHARS) return false;
    const probe = this.probe;
    for (let i = 0; i < ID_BYTES; i++) {
      const hi = key.charCodeAt(2 * i);
      const lo = key.charCodeAt(2 * i + 1);
      const b = (hi | lo) < 256 ? HEX_PAIR[(hi << 8) | lo] : -1;
      if (b < 0) return false;
      probe[i] = b;
    }
    return true;
  }

  private idOf(entry: number): string {
    const id = Buffer.alloc(ID_BYTES);
    for (let i = 0; i < ID_BYTES; i++) id[i] = this.byteOf(entry, i);
    return id.toString("hex");
  }

  /** Byte `i` of the id of `entry`. */
  private byteOf(entry: number, i: number): number {
    return (this.words[entry * RECORD_WORDS + (i >> 2)] >>> (8 * (i & 3))) & 255;
  }

  /** Table position of the entry whose id is the 20 bytes at `offset` of `bytes`, or -1. */
  private positionOf(bytes: Uint8Array, offset: number): number {
    // wordAt by hand: this is every object read of a walk or a diff, and until V8 has
    // optimised it (the first walks of a process), each call is paid in full.
    const o = offset;
    const w0 = bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24);
    const w1 = bytes[o + 4] | (bytes[o + 5] << 8) | (bytes[o + 6] << 16) | (bytes[o + 7] << 24);
    const w2 = bytes[o + 8] | (bytes[o + 9] << 8) | (bytes[o + 10] << 16) | (bytes[o + 11] << 24);
    const w3 = bytes[o + 12] | (bytes[o + 13] << 8) | (bytes[o + 14] << 16) | (bytes[o + 15] << 24);
    const w4 = bytes[o + 16] | (bytes[o + 17] << 8) | (bytes[o + 18] << 16) | (bytes[o + 19] << 24);
    const table = this.table;
    const mask = table.length - 1;
    const words = this.words;
    for (let i = mixWords(w0, w4) & mask; ; i = (i + 1) & mask) {
      const e = table[i];
      if (e === 0) return -1;
      const base = (e - 1) * RECORD_WORDS;
      if (words[base] === w0 && words[base + 4] === w4 && words[base + 1] === w1 && words[base + 2] === w2 && words[base + 3] === w3) return i;
    }
  }

  // An id is a cryptographic hash, so four of its bytes would do; mixing in the last
  // four as well keeps id-shaped keys that are not hashes (zero-padded counters) fast.
  private hashOfEntry(entry: number): number {
    const base = entry * RECORD_WORDS;
    return mixWords(this.words[base], this.words[base + 4]);
  }

  private place(entry: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let i = this.hashOfEntry(entry) & mask;
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = entry + 1;
  }

  private newEntry(): number {
    if ((this.entryTop + 1) * RECORD_WORDS > this.words.length) {
      const words = new Int32Array(this.words.length * 2);
      words.set(this.words);
      this.words = words;
    }
    return this.entryTop++;
  }

  private grow(): void {
    this.table = new Int32Array(this.table.length * 2);
    for (let e = 0; e < this.entryTop; e++) if (this.words[slotIndex(e)] >= 0) this.place(e);
  }
}
