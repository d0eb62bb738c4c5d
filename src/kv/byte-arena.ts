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
  // Per slot: chunk index, offset in it, and length (-1: free slot). Typed arrays, so a
  // million slots are three buffers the garbage collector never has to scan.
  private chunkOf = new Int32Array(INITIAL_SLOTS);
  private offsetOf = new Int32Array(INITIAL_SLOTS);
  private lengths = new Float64Array(INITIAL_SLOTS);
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
    const chunk = this.chunks[this.chunkOf[slot]];
    return new Uint8Array(chunk.buffer, this.offsetOf[slot], this.lengths[slot]);
  }

  /** A copy of the stored bytes of `slot`. */
  copy(slot: number): Uint8Array {
    const offset = this.offsetOf[slot];
    return this.chunks[this.chunkOf[slot]].slice(offset, offset + this.lengths[slot]);
  }

  lengthOf(slot: number): number {
    return this.lengths[slot];
  }

  /** Frees `slot`; its bytes are reclaimed by a later compaction. */
  release(slot: number): void {
    const length = this.lengths[slot];
    this.liveBytes -= length;
    this.deadBytes += length;
    this.lengths[slot] = -1;
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
    const lengths = this.lengths;
    for (let slot = 0; slot < this.slotCount; slot++) {
      const length = lengths[slot];
      if (length < 0) continue;
      const offset = this.offsetOf[slot];
      this.place(slot, old[this.chunkOf[slot]].subarray(offset, offset + length));
    }
  }

  clear(): void {
    this.chunks = [];
    this.packing = -1;
    this.nextChunkSize = FIRST_CHUNK;
    this.chunkOf = new Int32Array(INITIAL_SLOTS);
    this.offsetOf = new Int32Array(INITIAL_SLOTS);
    this.lengths = new Float64Array(INITIAL_SLOTS);
    this.slotCount = 0;
    this.freeSlots = [];
    this.liveBytes = 0;
    this.deadBytes = 0;
  }

  private newSlot(): number {
    if (this.slotCount === this.lengths.length) {
      const capacity = this.lengths.length * 2;
      const chunkOf = new Int32Array(capacity);
      chunkOf.set(this.chunkOf);
      this.chunkOf = chunkOf;
      const offsetOf = new Int32Array(capacity);
      offsetOf.set(this.offsetOf);
      this.offsetOf = offsetOf;
      const lengths = new Float64Array(capacity);
      lengths.set(this.lengths);
      this.lengths = lengths;
    }
    return this.slotCount++;
  }

  private place(slot: number, value: Uint8Array): void {
    const length = value.length;
    if (length > MAX_PACKED) {
      this.chunkOf[slot] = this.chunks.push(value.slice()) - 1;
      this.offsetOf[slot] = 0;
    } else {
      if (this.packing < 0 || this.used + length > this.chunks[this.packing].length) {
        this.packing = this.chunks.push(new Uint8Array(this.nextChunkSize)) - 1;
        this.used = 0;
        this.nextChunkSize = Math.min(MAX_CHUNK, this.nextChunkSize * 2);
      }
      this.chunks[this.packing].set(value, this.used);
      this.chunkOf[slot] = this.packing;
      this.offsetOf[slot] = this.used;
      this.used += length;
    }
    this.lengths[slot] = length;
    this.liveBytes += length;
  }
}
