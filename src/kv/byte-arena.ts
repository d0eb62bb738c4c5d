/**
 * Byte strings packed into a few large buffers, addressed by slot number. A stored value
 * costs three small integers instead of a Uint8Array and an ArrayBuffer of its own, so a
 * million stored objects add no million heap objects for the garbage collector to trace,
 * sweep and copy. Bytes are never overwritten in place: a view handed out stays valid
 * (and unchanged) for as long as the caller holds it, even after its slot is released.
 */
const FIRST_CHUNK = 64 * 1024;
const MAX_CHUNK = 4 * 1024 * 1024;
/** Values larger than this get a buffer of their own. */
const MAX_PACKED = 64 * 1024;
/** Compaction starts once released bytes exceed this and the live bytes. */
const COMPACT_MIN_DEAD = 4 * 1024 * 1024;
const INITIAL_SLOTS = 1024;

export class ByteArena {
  private chunks: Uint8Array[] = [];
  /** The chunk small values are packed into (-1: none yet), and its write position. */
  private packing = -1;
  private used = 0;
  private nextChunkSize = FIRST_CHUNK;
  // Per slot, side by side (one cache line for a read): chunk index, offset in it, and
  // length (-1: free slot). A typed array, so a million slots are one buffer the garbage
  // collector never has to scan.
  private meta = new Float64Array(3 * INITIAL_SLOTS);
  /** Slots ever handed out (live or free). */
  private slotCount = 0;
  private freeSlots: number[] = [];
  private liveBytes = 0;
  private deadBytes = 0;

  /** Copies `value` in; returns its slot. */
  add(value: Uint8Array): number {
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.newSlot();
    this.place(slot, value);
    return slot;
  }

  /** The stored bytes of `slot`, as a view: do not modify them. */
  view(slot: number): Uint8Array {
    const meta = this.meta;
    const at = 3 * slot;
    return new Uint8Array(this.chunks[meta[at]].buffer, meta[at + 1], meta[at + 2]);
  }

  /** A copy of the stored bytes of `slot`. */
  copy(slot: number): Uint8Array {
    const at = 3 * slot;
    const offset = this.meta[at + 1];
    return this.chunks[this.meta[at]].slice(offset, offset + this.meta[at + 2]);
  }

  lengthOf(slot: number): number {
    return this.meta[3 * slot + 2];
  }

  /** Frees `slot`; its bytes are reclaimed by a later compaction. */
  release(slot: number): void {
    const length = this.meta[3 * slot + 2];
    this.liveBytes -= length;
    this.deadBytes += length;
    this.meta[3 * slot + 2] = -1;
    this.freeSlots.push(slot);
  }

  /** Whether released bytes outweigh live ones enough to pay for `compact`. */
  wantsCompaction(): boolean {
    return this.deadBytes > COMPACT_MIN_DEAD && this.deadBytes > this.liveBytes;
  }

  /** Copies every live value into fresh buffers; slots keep their numbers. */
  compact(): void {
    const old = this.chunks;
    this.chunks = [];
    this.packing = -1;
    this.nextChunkSize = FIRST_CHUNK;
    this.liveBytes = 0;
    this.deadBytes = 0;
    const meta = this.meta;
    for (let slot = 0; slot < this.slotCount; slot++) {
      const length = meta[3 * slot + 2];
      if (length < 0) continue;
      const offset = meta[3 * slot + 1];
      this.place(slot, old[meta[3 * slot]].subarray(offset, offset + length));
    }
  }

  clear(): void {
    this.chunks = [];
    this.packing = -1;
    this.nextChunkSize = FIRST_CHUNK;
    this.meta = new Float64Array(3 * INITIAL_SLOTS);
    this.slotCount = 0;
    this.freeSlots = [];
    this.liveBytes = 0;
    this.deadBytes = 0;
  }

  private newSlot(): number {
    if (3 * this.slotCount === this.meta.length) {
      const meta = new Float64Array(this.meta.length * 2);
      meta.set(this.meta);
      this.meta = meta;
    }
    return this.slotCount++;
  }

  private place(slot: number, value: Uint8Array): void {
    const length = value.length;
    if (length > MAX_PACKED) {
      this.meta[3 * slot] = this.chunks.push(value.slice()) - 1;
      this.meta[3 * slot + 1] = 0;
    } else {
      if (this.packing < 0 || this.used + length > this.chunks[this.packing].length) {
        this.packing = this.chunks.push(new Uint8Array(this.nextChunkSize)) - 1;
        this.used = 0;
        this.nextChunkSize = Math.min(MAX_CHUNK, this.nextChunkSize * 2);
      }
      this.chunks[this.packing].set(value, this.used);
      this.meta[3 * slot] = this.packing;
      this.meta[3 * slot + 1] = this.used;
      this.used += length;
    }
    this.meta[3 * slot + 2] = length;
    this.liveBytes += length;
  }
}
