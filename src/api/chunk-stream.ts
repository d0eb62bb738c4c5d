import { keepShapeAlive } from "../objects/shape-anchor.ts";

/**
 * An async iterator over the items of an async source of chunks (the commit walks of
 * versioned/commit-graph.ts yield ids a chunk at a time). Within a chunk, `next()` returns
 * an already-resolved promise: a `for await` over it costs one microtask per item, where
 * an async generator re-yielding each item costs several (each `yield` awaits its value
 * and resumes the generator). That is most of the cost of walking a long history.
 *
 * Like a generator, it answers overlapping `next()` calls in order (each waits for the one
 * before), and after an error or the end it is done.
 */
export class ChunkStream<T> implements AsyncIterableIterator<T> {
  #chunks: AsyncIterator<readonly T[]> | undefined;
  #chunk: readonly T[] = [];
  #next = 0;
  #done = false;
  /** The refill in flight, which later `next()` calls wait for. */
  #pending: Promise<IteratorResult<T>> | undefined;

  /** `open` runs at the first `next()`, so an error in it (an unknown ref) rejects there. */
  constructor(private readonly open: () => Promise<AsyncIterator<readonly T[]>>) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#pending) return this.#pending.then(() => this.next(), () => this.next());
    if (this.#next < this.#chunk.length) return Promise.resolve({ value: this.#chunk[this.#next++], done: false });
    const pending = this.#refill().finally(() => {
      if (this.#pending === pending) this.#pending = undefined;
    });
    this.#pending = pending;
    return pending;
  }

  /** Called when a `for await` loop exits early: ends the walk underneath. */
  async return(): Promise<IteratorResult<T>> {
    this.#finish();
    await this.#chunks?.return?.();
    return { value: undefined, done: true };
  }

  #finish(): void {
    this.#done = true;
    this.#chunk = [];
    this.#next = 0;
  }

  async #refill(): Promise<IteratorResult<T>> {
    try {
      for (;;) {
        if (this.#done) return { value: undefined, done: true };
        this.#chunks ??= await this.open();
        const r = await this.#chunks.next();
        if (r.done) {
          this.#finish();
          return { value: undefined, done: true };
        }
        if (r.value.length === 0) continue;
        this.#chunk = r.value;
        this.#next = 1;
        return { value: r.value[0], done: false };
      }
    } catch (err) {
      this.#finish();
      throw err;
    }
  }
}

// Keeps ChunkStream's hidden classes alive between walks (see objects/shape-anchor.ts):
// otherwise a GC between two history() walks can throw away next()'s optimised code.
keepShapeAlive(new ChunkStream<never>(() => Promise.reject(new Error("never opened"))));
