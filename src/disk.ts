/** `kvgit/disk`: the embedded disk backend (LMDB; install the optional peer `lmdb`). */
export { DiskStore, type DiskStoreOptions } from "./kv/disk-store.ts";
