/** kvgit: a versioned key-value store with git semantics. Public exports. */
export { store, type StoreOptions } from "./api/store.ts";
export type { WorkingCopyMode } from "./api/load-committed.ts";
export { Staged, type Store, type Schema, type MergeResult, type CommitOptions, type DiffResult, type BranchMergeOptions, type RebaseOptions, type RebaseResult } from "./api/staged.ts";
export { Snapshot } from "./api/snapshot.ts";
export { Live, type LiveStore } from "./api/live.ts";
export { Namespaced, type NamespacedStore } from "./api/namespaced.ts";
export { verifyProof, type Proof } from "./api/proof.ts";
export { jsonRendering } from "./api/json-rendering.ts";
export type { CommitInfo } from "./api/store-context.ts";
export { DELETE, type MergeFn, type MergeContext, type ContentType, type DeleteSentinel } from "./merge/merge-fn.ts";
export {
  counter,
  lastWriterWins,
  jsonValue,
  setUnion,
  max,
  min,
  appendLog,
  registerContentType,
  unregisterContentType,
  getRegisteredContentType,
  hasContentType,
  registeredContentTypeNames,
  builtinContentType,
  builtinContentTypeNames,
  assertContentType,
  jsonThreeWayMerge,
  decideTrivially,
  canonicalKey,
  deepEqual,
  type CounterValue,
  type JsonValue,
} from "./merge/index.ts";
export {
  registerClass,
  resolveCodec,
  msgpackCodec,
  createMsgpackCodec,
  superjsonCodec,
  jsonCodec,
  bytesCodec,
  type Codec,
  type CodecName,
  type MsgpackCodecOptions,
} from "./codec/index.ts";
export type { KVStore } from "./kv/kv-store.ts";
export { MemoryStore } from "./kv/memory-store.ts";
export { TieredStore, type TieredStoreOptions } from "./kv/tiered-store.ts";
export {
  KvgitError,
  KeyError,
  ConcurrencyError,
  MergeConflict,
  NotSupportedError,
  RefError,
  FormatError,
  CodecError,
  BackendError,
  type Conflict,
} from "./errors.ts";
export type { CleanOrphansOptions, GcProgress } from "./versioned/gc.ts";
export type { VerifyReport } from "./versioned/verify.ts";
