/** `kvgit/keyv`: any Keyv instance as a backend (Redis, PostgreSQL, SQLite adapters get a native atomic CAS). */
export { KeyvStore, isKeyvLike, type KeyvLike, type KeyvStoreOptions } from "./kv/keyv-store.ts";
