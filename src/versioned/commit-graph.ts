import type { ObjectStore } from "../objects/object-store.ts";
import { RefError } from "../errors.ts";
import { corruptCommit, decodeCommit, firstParentOffset, grandparentOffset, NO_PARENT, NOT_A_COMMIT, type Commit } from "./commit-object.ts";
import { HASH_BYTES, hexAt, hexOfIds } from "../objects/hash.ts";
import { keepShapeAlive } from "../objects/shape-anchor.ts";

/** Reads commits (immutable, so cached without bounds on staleness) and walks the graph. */
export class CommitGraph {
  private readonly cache = new Map<string, Commit>();

  constructor(readonly objects: ObjectStore) {}

  async get(id: string): Promise<Commit> {
    const now = this.getNow(id);
    if (now) return now;
    return this.decode(id, await this.objects.get("c", id));
  }

  /** The commit if it can be had without waiting (cached, or an in-process backend). */
  getNow(id: string): Commit | undefined {
    const hit = this.cache.get(id);
    if (hit || !this.objects.syncReads) return hit;
    return this.decode(id, this.objects.getSync("c", id));
  }

  private decode(id: string, bytes: Uint8Array | undefined): Commit {
    if (!bytes) throw missingCommit(id);
    // A decoded commit keeps its bytes; a synchronous read may be a view into a large shared
    // buffer (the memory backend's arena), which a cached commit must not pin.
    return this.remember(decodeCommit(id, this.objects.syncReads ? bytes.slice() : bytes));
  }

  async exists(id: string): Promise<boolean> {
    if (this.cache.has(id)) return true;
    return (await this.objects.get("c", id)) !== undefined;
  }

  /** Reads every uncached commit of `ids` in one batch (remote backends only). */
  async prefetch(ids: Iterable<string>): Promise<void> {
    if (this.objects.syncReads) return;
    const missing = [...new Set(ids)].filter((id) => !this.cache.has(id));
    if (missing.length === 0) return;
    const found = await this.objects.getMany("c", missing);
    for (const [id, bytes] of found) this.remember(decodeCommit(id, bytes));
  }

  remember(commit: Commit): Commit {
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(commit.id, commit);
    return commit;
  }

  /**
   * The lowest common ancestors of `a` and `b` (git's merge-base --all), sorted by id.
   * Walks down from both tips in generation order, so it stops as soon as every open path
   * is below a common ancestor; criss-cross histories yield several bases.
   */
  async mergeBases(a: string, b: string): Promise<string[]> {
    if (a === b) return [a];
    const ONE = 1;
    const TWO = 2;
    const STALE = 4;
    const flags = new Map<string, number>();
    const queue = new CommitQueue();
    const found: string[] = [];
    flags.set(a, ONE);
    flags.set(b, TWO);
    queue.push(await this.get(a));
    queue.push(await this.get(b));
    while (queue.hasNonStale((c) => ((flags.get(c.id) ?? 0) & STALE) === 0)) {
      // Take every queued commit of the highest generation at once (none of them can be an
      // ancestor of another) and read all their parents in one batch: on a remote backend
      // the walk costs a round trip per generation step, not per commit.
      const level: Commit[] = [queue.pop()!];
      while (queue.size > 0 && queue.peek()!.generation === level[0].generation) level.push(queue.pop()!);
      await this.prefetch(level.flatMap((c) => c.parents));
      for (const commit of level) {
        let f = flags.get(commit.id)!;
        if ((f & (ONE | TWO)) === (ONE | TWO)) {
          if ((f & STALE) === 0) found.push(commit.id);
          f |= STALE;
          flags.set(commit.id, f);
        }
        for (const p of commit.parents) {
          const pf = flags.get(p) ?? 0;
          if ((pf & f) === f) continue;
          flags.set(p, pf | f);
          queue.push(await this.get(p));
        }
      }
    }
    // Drop candidates that are ancestors of other candidates.
    const best: string[] = [];
    for (const c of found) {
      let redundant = false;
      for (const other of found) if (other !== c && (await this.isAncestor(c, other))) redundant = true;
      if (!redundant) best.push(c);
    }
    return [...new Set(best)].sort();
  }

  /** Whether `ancestor` is reachable from `descendant` (a commit is its own ancestor). */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    if (ancestor === descendant) return true;
    const target = await this.get(ancestor);
    const seen = new Set<string>([descendant]);
    // Breadth-first by frontier, so a remote backend is read once per step, not per commit.
    let frontier = [await this.get(descendant)];
    while (frontier.length > 0) {
      const parents = frontier.flatMap((c) => c.parents).filter((p) => !seen.has(p));
      if (parents.includes(ancestor)) return true;
      await this.prefetch(parents);
      const next: Commit[] = [];
      for (const p of parents) {
        if (seen.has(p)) continue;
        seen.add(p);
        const pc = await this.get(p);
        if (pc.generation > target.generation) next.push(pc);
      }
      frontier = next;
    }
    return false;
  }

  /**
   * Commit ids newest first. First-parent: the branch's own line. All parents: every
   * ancestor once, in a topological order (a commit before its parents), by generation,
   * then time, then id.
   */
  async *walk(from: string, allParents: boolean): AsyncGenerator<Commit> {
    for await (const chunk of this.walkChunks(from, allParents)) yield* chunk;
  }

  /**
   * Commit ids of `walk`, in chunks. On an in-process backend a first-parent walk reads
   * each commit's first parent straight from its bytes, without decoding the commit.
   */
  async *walkIds(from: string, allParents: boolean, chunkSize = 256): AsyncGenerator<string[]> {
    if (!(chunkSize >= 1)) throw new RangeError(`chunkSize must be at least 1, got ${chunkSize}`);
    if (allParents || !this.objects.syncReads) {
      for await (const chunk of this.walkChunks(from, allParents, chunkSize)) yield chunk.map((c) => c.id);
      return;
    }
    const cursor = new FirstParentCursor(new Uint8Array(Buffer.from(from, "hex")), 0, this.objects.getSync("c", from));
    const rawIds = new Uint8Array(chunkSize * HASH_BYTES);
    while (cursor.bytes !== null) yield this.firstParentChunk(cursor, rawIds, chunkSize);
  }

  /**
   * Up to `size` ids of a first-parent walk from `cursor`, which it advances. Straight from
   * the bytes, not through the commit cache: hashing each fresh id string for a Map lookup
   * costs about as much as the read itself. A commit at an even depth stores the ids of
   * both its parent and its grandparent on the line (`grandparentOffset`), so the walk
   * reads only every other commit and takes the parent's id from its child; each read
   * looks the commit up by the 20 bytes its child stores. The ids are gathered as bytes
   * into `rawIds` and turned into text in one call per chunk (one native call per id cost
   * more than the rest of the step).
   *
   * A plain method rather than the generator's own loop, because V8 optimises a hot loop
   * in a plain function while it runs (on-stack replacement) but not one in a generator.
   */
  private firstParentChunk(cursor: FirstParentCursor, rawIds: Uint8Array, size: number): string[] {
    let { idBytes, idAt, bytes } = cursor;
    let count = 0;
    while (bytes !== null && count < size) {
      if (bytes === undefined) throw missingCommit(hexAt(idBytes, idAt));
      rawIds.set(idBytes.subarray(idAt, idAt + HASH_BYTES), count * HASH_BYTES);
      count++;
      const at = firstParentOffset(bytes);
      if (at === NO_PARENT) {
        bytes = null;
        break;
      }
      if (at === NOT_A_COMMIT) throw corruptCommit(hexAt(idBytes, idAt), bytes);
      if (count < size) {
        const skip = grandparentOffset(bytes, at);
        if (skip === NOT_A_COMMIT) throw corruptCommit(hexAt(idBytes, idAt), bytes, true);
        const grandparent = skip === NO_PARENT ? undefined : this.objects.getSyncAt("c", bytes, skip);
        if (grandparent !== undefined) {
          rawIds.set(bytes.subarray(at, at + HASH_BYTES), count * HASH_BYTES);
          count++;
          idBytes = bytes;
          idAt = skip;
          bytes = grandparent;
          continue;
        }
        // No shortcut, or it leads nowhere: step to the parent instead, so that a missing
        // commit is named by the child that names it, and damaged jump bytes cost only
        // the shortcut.
      }
      idBytes = bytes;
      idAt = at;
      bytes = this.objects.getSyncAt("c", bytes, at);
    }
    cursor.idBytes = idBytes;
    cursor.idAt = idAt;
    cursor.bytes = bytes;
    return hexOfIds(rawIds, count);
  }

  /** `walk` in chunks, so a long walk costs one await per chunk, not per commit. */
  async *walkChunks(from: string, allParents: boolean, chunkSize = 256): AsyncGenerator<Commit[]> {
    if (!allParents) {
      // On a remote backend every batch also fetches the ancestors named by the line jumps
      // of the commits fetched before (change-summary.ts): the walk learns ids faster than
      // it steps, costing a round trip per doubling of what it knows rather than one per
      // commit. It reads ahead at most max(chunkSize, 2 x walked) commits below where it is,
      // so a short walk (log({ limit })) never reads much more than it uses.
      let ahead = new Set<string>();
      let walked = 0;
      let id: string | undefined = from;
      while (id !== undefined) {
        const chunk: Commit[] = [];
        while (id !== undefined && chunk.length < chunkSize) {
          let c = this.getNow(id);
          if (!c) {
            ahead.delete(id);
            const batch = [id, ...ahead];
            await this.prefetch(batch);
            c = await this.get(id);
            const floor = c.depth - Math.max(chunkSize, 2 * walked);
            ahead = new Set();
            for (const fetched of batch) {
              const f = this.cache.get(fetched);
              if (!f) continue;
              f.lineJumps.forEach((j, i) => {
                if (f.depth - 2 ** i >= floor && !this.cache.has(j)) ahead.add(j);
              });
            }
          }
          chunk.push(c);
          walked++;
          id = c.parents[0];
        }
        yield chunk;
      }
      return;
    }
    const queue = new CommitQueue();
    const seen = new Set<string>([from]);
    queue.push(await this.get(from));
    while (queue.size > 0) {
      const chunk: Commit[] = [];
      while (queue.size > 0 && chunk.length < chunkSize) {
        const c = queue.pop()!;
        chunk.push(c);
        for (const p of c.parents) {
          if (seen.has(p)) continue;
          seen.add(p);
          queue.push(this.getNow(p) ?? (await this.get(p)));
        }
      }
      yield chunk;
    }
  }
}

function missingCommit(id: string): RefError {
  return new RefError(id, `commit ${id} does not exist in this store`);
}

/** Max-heap of commits by (generation, time, id). */
class CommitQueue {
  private readonly heap: Commit[] = [];

  get size(): number {
    return this.heap.length;
  }

  hasNonStale(isLive: (c: Commit) => boolean): boolean {
    return this.heap.some(isLive);
  }

  peek(): Commit | undefined {
    return this.heap[0];
  }

  push(c: Commit): void {
    const h = this.heap;
    h.push(c);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  pop(): Commit | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Commit, b: Commit): boolean {
  if (a.generation !== b.generation) return a.generation > b.generation;
  if (a.time !== b.time) return a.time > b.time;
  return a.id > b.id;
}

/**
 * Where a synchronous first-parent walk is: the next commit's id (the 20 bytes at `idAt`
 * of `idBytes`) and its bytes (undefined if missing, null past the root).
 */
class FirstParentCursor {
  constructor(
    public idBytes: Uint8Array,
    public idAt: number,
    public bytes: Uint8Array | undefined | null,
  ) {}
}

// One walk's cursor is garbage by the next walk; without a live instance its shape would
// die at a collection in between, and V8 would re-learn every access to it in the walk's
// loop, which restarts the count towards optimising the loop (see shape-anchor.ts).
keepShapeAlive(new FirstParentCursor(new Uint8Array(0), 0, null)).bytes = undefined;
