import type { Versioned } from "../versioned/versioned.ts";
import { IndexedWorkingCopy } from "./indexed-working-copy.ts";
import { WorkingCopy, type CommittedView, type ValueDecoder } from "./working-copy.ts";

/**
 * Index height from which a store on an in-process backend is read from the index instead
 * of being loaded into a `WorkingCopy`. With the node sizes of chunking.ts an index reaches
 * height 5 at about 100,000 keys (50,000: height 4; 1,000,000: 6): below it, loading every key at open
 * makes each read a lookup; above it, a load would cost seconds and hundreds of MB of
 * heap, while a read through the cached upper levels of the index costs a microsecond.
 * Remote backends always load: their reads cannot be synchronous.
 */
export const INDEXED_MIN_HEIGHT = 5;

/**
 * How a store object holds its committed state (store() option `workingCopy`): "auto"
 * reads big stores on in-process backends from the index and loads the rest, "load"
 * always loads, "index" always reads from the index (in-process backends only).
 */
export type WorkingCopyMode = "auto" | "load" | "index";

/** Whether the committed state at `root` is read from the index (see INDEXED_MIN_HEIGHT). */
export function readsFromIndex(versioned: Versioned, root: string, mode: WorkingCopyMode): boolean {
  if (mode === "load" || !versioned.objects.syncReads) return false;
  return mode === "index" || versioned.nodes.getSync(root).height >= INDEXED_MIN_HEIGHT;
}

/** The committed view of `root`: read from the index for a big store in process, else loaded. */
export async function loadCommitted(versioned: Versioned, root: string, decoder: ValueDecoder, mode: WorkingCopyMode): Promise<CommittedView> {
  return readsFromIndex(versioned, root, mode) ? new IndexedWorkingCopy(versioned, decoder, root) : WorkingCopy.load(versioned, root, decoder);
}
