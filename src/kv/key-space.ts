/**
 * The keys a kvgit store writes, by what may happen to them. Backends store bytes under
 * any key; this list exists for the layers that must tell kvgit's keys apart: the format
 * check (a backend holding other keys is not a kvgit store) and the cache tier (which may
 * cache objects but must never serve a key that changes). docs/format.md describes each.
 */

/** The format record. */
export const FORMAT_KEY = "kvgit";
/** Content-addressed objects, written once under their id: values, index nodes, commits. */
export const OBJECT_PREFIXES: readonly string[] = ["v/", "n/", "c/"];
/** Keys that change or disappear: branch heads (moved by CAS), Live values, write journal. */
export const MUTABLE_PREFIXES: readonly string[] = ["h/", "l/", "w/"];
/** Every prefix kvgit writes under. */
export const KVGIT_PREFIXES: readonly string[] = [...OBJECT_PREFIXES, ...MUTABLE_PREFIXES];
