import type { ObjectStore, WriteBatch } from "../objects/object-store.ts";
import { FormatError } from "../errors.ts";
import { decodeNode, encodeNode, leafEntryCount, type IndexNode } from "./node.ts";
import { hashHex } from "../objects/hash.ts";
import { dropOldestHalf } from "./evict.ts";

/** The empty keyset: one empty leaf. Known without reading, so using it never writes. */
export const EMPTY_NODE: IndexNode = { height: 0, keys: [], ids: [] };
export const EMPTY_ROOT = hashHex(encodeNode(EMPTY_NODE));

/**
 * Reads index nodes through a bounded cache of decoded nodes. Nodes are immutable and
 * content-addressed, so a cached node can never be stale.
 */
export class NodeSource {
  private cache = new Map<string, IndexNode>();
  /** Leaves put into each batch (in-process backends; see `put`). */
  private readonly leavesWritten = new WeakMap<WriteBatch, string[]>();
  /** Backend reads issued (single and batched), for tests that prove costs. */
  reads = 0;

  constructor(
    readonly objects: ObjectStore,
    private readonly maxCached = 200_000,
  ) {}

  cached(id: string): IndexNode | undefined {
    return this.cache.get(id);
  }

  /** How many decoded nodes the cache holds (for tests that prove what was decoded). */
  get cachedCount(): number {
    return this.cache.size;
  }

  /** A node's encoded bytes, not decoded nor cached; only when `syncReads`. */
  bytesSync(id: string): Uint8Array | undefined {
    this.reads++;
    return this.objects.getSync("n", id);
  }

  /** `bytesSync` of the node whose id sits at `offset` of `bytes` (another node's). */
  bytesSyncAt(bytes: Uint8Array, offset: number): Uint8Array | undefined {
    this.reads++;
    return this.objects.getSyncAt("n", bytes, offset);
  }

  async get(id: string): Promise<IndexNode> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    if (this.objects.syncReads) return this.getSync(id);
    if (id === EMPTY_ROOT) return EMPTY_NODE;
    this.reads++;
    const bytes = await this.objects.get("n", id);
    if (!bytes) throw missingNode(id);
    return this.remember(id, decodeNode(bytes, id));
  }

  /** `get` without awaiting; only when the backend has synchronous reads (`syncReads`). */
  getSync(id: string): IndexNode {
    const hit = this.cache.get(id);
    if (hit) return hit;
    return this.remember(id, this.readSync(id));
  }

  /**
   * A node a whole-tree scan needs once. On an in-process backend it is decoded without
   * entering the cache, so opening a big store does not fill the cache (and the heap) with
   * every leaf; elsewhere it is `get` (the scan prefetched it into the cache anyway).
   */
  async getOnce(id: string): Promise<IndexNode> {
    return this.objects.syncReads ? this.getOnceSync(id) : this.get(id);
  }

  /** `getOnce` without awaiting; only when `syncReads`. */
  getOnceSync(id: string): IndexNode {
    return this.cache.get(id) ?? this.readSync(id);
  }

  /**
   * A leaf decoded without entering the cache, with its bytes and where each entry's id
   * sits in them (`idOffsets`, filled); only when `syncReads`. The bytes stay valid as
   * long as the caller holds them (`getSync` bytes are stable).
   */
  leafWithOffsetsSync(id: string, idOffsets: number[]): { leaf: IndexNode; bytes: Uint8Array } {
    if (id === EMPTY_ROOT) return { leaf: EMPTY_NODE, bytes: new Uint8Array(0) };
    const bytes = this.requireBytesSync(id);
    return { leaf: decodeNode(bytes, id, idOffsets), bytes };
  }

  /** Entry count of a leaf, read from its header without decoding it; only when `syncReads`. */
  leafSizeSync(id: string): number {
    const hit = this.cache.get(id);
    if (hit) return hit.keys.length;
    return id === EMPTY_ROOT ? 0 : leafEntryCount(this.requireBytesSync(id), id);
  }

  private readSync(id: string): IndexNode {
    return id === EMPTY_ROOT ? EMPTY_NODE : decodeNode(this.requireBytesSync(id), id);
  }

  private requireBytesSync(id: string): Uint8Array {
    const bytes = this.bytesSync(id);
    if (!bytes) throw missingNode(id);
    return bytes;
  }

  /**
   * Whether batching reads pays: false for in-process backends, where a read is a
   * synchronous lookup and prefetching would only read nodes a walk may never need.
   */
  get batches(): boolean {
    return !this.objects.syncReads;
  }

  /** Loads every id not yet cached with one batched backend read (remote backends only). */
  async prefetch(ids: Iterable<string>): Promise<void> {
    if (!this.batches) return;
    const missing: string[] = [];
    for (const id of ids) if (!this.cache.has(id) && id !== EMPTY_ROOT) missing.push(id);
    if (missing.length === 0) return;
    this.reads++;
    const found = await this.objects.getMany("n", missing);
    for (const id of missing) {
      const bytes = found.get(id);
      if (!bytes) throw missingNode(id);
      this.remember(id, decodeNode(bytes, id));
    }
  }

  /**
   * Encodes a node into `batch`, caches it (the operation writing it reads it back, before
   * and while the batch is flushed, and a retried commit again after) and returns its id.
   * On an in-process backend the caller may drop the batch's leaves from the cache with
   * `releaseLeaves` once it is done: decoding one again when it is next read is cheap, and
   * a bulk load would otherwise keep every leaf it wrote in the heap.
   */
  put(batch: WriteBatch, node: IndexNode): string {
    const id = batch.put("n", encodeNode(node));
    this.remember(id, node);
    if (node.height === 0 && this.objects.syncReads) {
      const written = this.leavesWritten.get(batch);
      if (written) written.push(id);
      else this.leavesWritten.set(batch, [id]);
    }
    return id;
  }

  /** Drops the leaves `batch` wrote from the cache (in-process backends; see `put`). */
  releaseLeaves(batch: WriteBatch): void {
    const written = this.leavesWritten.get(batch);
    if (!written) return;
    this.leavesWritten.delete(batch);
    for (const id of written) this.cache.delete(id);
  }

  private remember(id: string, node: IndexNode): IndexNode {
    // Hot upper levels dropped with the oldest half are re-read in one batch.
    if (this.cache.size >= this.maxCached) dropOldestHalf(this.cache);
    this.cache.set(id, node);
    return node;
  }
}

function missingNode(id: string): FormatError {
  return new FormatError(`index node ${id} is missing from the backend; the store is incomplete or was garbage-collected while in use`, { id });
}
