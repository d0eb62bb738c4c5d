/**
 * A key -> slot index for buckets whose keys are content ids (40 lowercase hex
 * characters, kvgit's `v/`, `n/` and `c/`), with no heap object per entry: each id is
 * kept as its 20 bytes in one growing `Uint8Array`, its slot in an `Int32Array`, and the
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
/** An entry's record: the id, then its slot (an int32, so the record is 6 int32s long). */
const RECORD_BYTES = 24;

/** Index of an entry's slot in the records read as int32s. */
function slotIndex(entry: number): number {
  return entry * 6 + 5;
}

/** Nibble of a lowercase hex character code, or -1. */
function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Character codes of the 16 lowercase hex digits. */
const HEX_CODES = new Uint8Array([..."0123456789abcdef"].map((c) => c.charCodeAt(0)));
/** Never a hash (hashes are int32, this is not). */
const INVALID = 2 ** 32;

function mixWords(head: number, tail: number): number {
  const h = Math.imul(head ^ Math.imul(tail, 0x9e3779b1), 0x85ebca6b);
  return h ^ (h >>> 15);
}

function mix(b: Uint8Array, base: number): number {
  const head = (b[base] << 24) | (b[base + 1] << 16) | (b[base + 2] << 8) | b[base + 3];
  const tail = (b[base + 16] << 24) | (b[base + 17] << 16) | (b[base + 18] << 8) | b[base + 19];
  return mixWords(head, tail);
}

/** `mix` of the id a 40-character hex key spells, or INVALID if its hashed characters are not hex. */
function hashOfHex(key: string): number {
  let head = 0;
  let tail = 0;
  for (let i = 0; i < 8; i++) {
    const a = nibble(key.charCodeAt(i));
    const b = nibble(key.charCodeAt(32 + i));
    if ((a | b) < 0) return INVALID;
    head = (head << 4) | a;
    tail = (tail << 4) | b;
  }
  return mixWords(head, tail);
}

export class IdIndex {
  /** Entry number + 1 per table position; 0 is empty. Capacity is a power of 2, at most half full. */
  private table = new Int32Array(16);
  /**
   * One record per entry, side by side so a read touches one cache line: the id's 20
   * bytes, then the slot as an int32 (-1 marks a free entry), read through `slotOf`.
   */
  private idBytes = new Uint8Array(8 * RECORD_BYTES);
  private slotOf = new Int32Array(this.idBytes.buffer);
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
    // The read path compares the key's characters with the stored bytes directly, without
    // parsing it first: this is every object read of the memory backend.
    if (key.length === ID_CHARS) {
      const h = hashOfHex(key);
      if (h !== INVALID) {
        const table = this.table;
        const mask = table.length - 1;
        for (let i = h & mask; ; i = (i + 1) & mask) {
          const e = table[i];
          if (e === 0) break;
          if (this.matchesHex(e - 1, key)) return this.slotOf[slotIndex(e - 1)];
        }
      }
    }
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
      this.slotOf[slotIndex(this.table[existing] - 1)] = slot;
      return this;
    }
    if ((this.packed + 1) * 2 > this.table.length) this.grow();
    const entry = this.freeEntries.length > 0 ? this.freeEntries.pop()! : this.newEntry();
    this.idBytes.set(this.probe, entry * RECORD_BYTES);
    this.slotOf[slotIndex(entry)] = slot;
    this.place(entry);
    this.packed++;
    return this;
  }

  /** `get` of the id whose 20 bytes start at `offset` of `bytes`. */
  getRaw(bytes: Uint8Array, offset: number): number | undefined {
    if (offset < 0 || offset + ID_BYTES > bytes.length) return undefined;
    const i = this.positionOf(bytes, offset);
    return i < 0 ? undefined : this.slotOf[slotIndex(this.table[i] - 1)];
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
    this.slotOf[slotIndex(entry)] = -1;
    this.freeEntries.push(entry);
    this.packed--;
    return true;
  }

  *entries(): IterableIterator<[string, number]> {
    for (let e = 0; e < this.entryTop; e++) if (this.slotOf[slotIndex(e)] >= 0) yield [this.idOf(e), this.slotOf[slotIndex(e)]];
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
      const hi = nibble(key.charCodeAt(2 * i));
      const lo = nibble(key.charCodeAt(2 * i + 1));
      if (hi < 0 || lo < 0) return false;
      probe[i] = (hi << 4) | lo;
    }
    return true;
  }

  private idOf(entry: number): string {
    return Buffer.from(this.idBytes.buffer, entry * RECORD_BYTES, ID_BYTES).toString("hex");
  }

  /** Table position of the entry whose id is the 20 bytes at `offset` of `bytes`, or -1. */
  private positionOf(bytes: Uint8Array, offset: number): number {
    const table = this.table;
    const mask = table.length - 1;
    const records = this.idBytes;
    for (let i = mix(bytes, offset) & mask; ; i = (i + 1) & mask) {
      const e = table[i];
      if (e === 0) return -1;
      const base = (e - 1) * RECORD_BYTES;
      let j = 0;
      while (j < ID_BYTES && records[base + j] === bytes[offset + j]) j++;
      if (j === ID_BYTES) return i;
    }
  }

  private matchesHex(entry: number, key: string): boolean {
    const bytes = this.idBytes;
    const base = entry * RECORD_BYTES;
    for (let i = 0; i < ID_BYTES; i++) {
      const b = bytes[base + i];
      if (key.charCodeAt(2 * i) !== HEX_CODES[b >> 4] || key.charCodeAt(2 * i + 1) !== HEX_CODES[b & 15]) return false;
    }
    return true;
  }

  // An id is a cryptographic hash, so four of its bytes would do; mixing in the last
  // four as well keeps id-shaped keys that are not hashes (zero-padded counters) fast.
  private hashOfEntry(entry: number): number {
    return mix(this.idBytes, entry * RECORD_BYTES);
  }

  private place(entry: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let i = this.hashOfEntry(entry) & mask;
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = entry + 1;
  }

  private newEntry(): number {
    if ((this.entryTop + 1) * RECORD_BYTES > this.idBytes.length) {
      const bytes = new Uint8Array(this.idBytes.length * 2);
      bytes.set(this.idBytes);
      this.idBytes = bytes;
      this.slotOf = new Int32Array(bytes.buffer);
    }
    return this.entryTop++;
  }

  private grow(): void {
    this.table = new Int32Array(this.table.length * 2);
    for (let e = 0; e < this.entryTop; e++) if (this.slotOf[slotIndex(e)] >= 0) this.place(e);
  }
}
