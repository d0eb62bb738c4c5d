/**
 * An async iterator over the items of an async source of chunks (the commit walks of
 * versioned/commit-graph.ts yield ids a chunk at a time). Within a chunk, `next()` returns
 * an already-resolved promise: a `for await` over it costs one microtask per item, where
 * an async generator re-yielding each item costs several (each `yield` awaits its value
 * and resumes the generator). That is most of the cost of walking a long history.
 */
export class ChunkStream<T> implements AsyncIterableIterator<T> {
  #chunks: AsyncIterator<readonly T[]> | undefined;
  #chunk: readonly T[] = [];
  #next = 0;
  #done = false;

  /** `open` runs at the first `next()`, so an error in it (an unknown ref) rejects there. */
  constructor(private readonly open: () => Promise<AsyncIterator<readonly T[]>>) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#next < this.#chunk.length) return Promise.resolve({ value: this.#chunk[this.#next++], done: false });
    return this.#refill();
  }

  /** Called when a `for await` loop exits early: ends the walk underneath. */
  async return(): Promise<IteratorResult<T>> {
    this.#done = true;
    this.#chunk = [];
    await this.#chunks?.return?.();
    return { value: undefined, done: true };
  }

  async #refill(): Promise<IteratorResult<T>> {
    for (;;) {
      if (this.#done) return { value: undefined, done: true };
      this.#chunks ??= await this.open();
      const r = await this.#chunks.next();
      if (r.done) {
        this.#done = true;
        this.#chunk = [];
        return { value: undefined, done: true };
      }
      if (r.value.length === 0) continue;
      this.#chunk = r.value;
      this.#next = 1;
      return { value: r.value[0], done: false };
    }
  }
}
