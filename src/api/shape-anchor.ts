import { resolveCodec } from "../codec/resolve-codec.ts";
import { MemoryStore } from "../kv/memory-store.ts";
import { keepShapeAlive } from "../objects/shape-anchor.ts";
import { Versioned } from "../versioned/versioned.ts";
import { Staged } from "./staged.ts";

let anchored: Promise<unknown> | undefined;

/**
 * Opens, once per process, a tiny store object on an empty in-memory backend and keeps it
 * (objects/shape-anchor.ts says why): a program that drops its store object and later
 * opens another — a service per request, the W6 benchmark per iteration — then opens every
 * store with warm code instead of code V8 discarded with the last store (W6: 40 → 24 ms).
 * Never fails the caller.
 */
export function keepStoreShapesAlive(): Promise<unknown> {
  anchored ??= (async () => keepShapeAlive(await Staged.open({ versioned: await Versioned.open(new MemoryStore()), codec: resolveCodec("msgpack") }, "main")))().catch(
    () => undefined,
  );
  return anchored;
}
