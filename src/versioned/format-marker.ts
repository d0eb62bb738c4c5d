import type { KVStore } from "../kv/kv-store.ts";
import { FORMAT_KEY, KVGIT_PREFIXES } from "../kv/key-space.ts";
import { FormatError } from "../errors.ts";
import { backendCall } from "../objects/object-store.ts";

export { FORMAT_KEY } from "../kv/key-space.ts";
/** 2: commits carry their first-parent depth, skip id and change summary (docs/format.md). */
export const FORMAT_VERSION = 2;

const encoder = new TextEncoder();

/**
 * The format record. `codec` names the codec the store's values are written with (one per
 * store: a reader with another codec would misread every value); records written before
 * it existed have none, and gain it at the first writable open.
 */
export function formatRecord(codec?: string): Uint8Array {
  return encoder.encode(JSON.stringify(codec === undefined ? { format: "kvgit", version: FORMAT_VERSION } : { format: "kvgit", version: FORMAT_VERSION, codec }));
}

/**
 * Checks that `kv` holds a kvgit store we can read, or is empty (then, unless `readOnly`,
 * claims it by writing the format record with CAS). Foreign, corrupt or newer data is a
 * FormatError and nothing is written. `codec` is the codec name a new record holds;
 * `upgradeCodec` the one to add to an existing record that names none (only a codec the
 * caller asked for explicitly: guessing would stamp a wrong one on the store for good).
 * Neither is written when `readOnly`. Returns the codec name the record holds afterwards.
 */
export async function ensureFormat(kv: KVStore, readOnly = false, codec?: string, upgradeCodec?: string): Promise<string | undefined> {
  for (;;) {
    const existing = await backendCall(kv, "get", () => kv.get(FORMAT_KEY));
    if (!existing) break;
    const stored = checkRecord(kv, existing);
    if (stored !== undefined || readOnly || upgradeCodec === undefined) return stored;
    // CAS from the record we read: a rival recording another codec first wins, and the
    // next round reports its codec.
    if (await backendCall(kv, "cas", () => kv.cas(FORMAT_KEY, formatRecord(upgradeCodec), existing))) return upgradeCodec;
  }
  for await (const key of kv.keys()) {
    const ours = KVGIT_PREFIXES.some((p) => key.startsWith(p));
    throw new FormatError(
      `backend ${kv.description} holds data that is not a kvgit store (found key ${JSON.stringify(key)}${ours ? " but no format record" : ""}); ` +
        `open an empty backend or a kvgit store, or use another prefix/namespace. Nothing was written.`,
      { backend: kv.description, key },
    );
  }
  if (readOnly) return undefined;
  const claimed = await backendCall(kv, "cas", () => kv.cas(FORMAT_KEY, formatRecord(codec), undefined));
  if (claimed) return codec;
  const now = await backendCall(kv, "get", () => kv.get(FORMAT_KEY));
  if (!now) throw new FormatError(`backend ${kv.description} changed while kvgit was initialising it; try again`, {});
  return checkRecord(kv, now);
}

/** Checks a format record; returns the codec name it holds, if any. */
function checkRecord(kv: KVStore, bytes: Uint8Array): string | undefined {
  let record: { format?: unknown; version?: unknown; codec?: unknown };
  try {
    record = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new FormatError(`backend ${kv.description} has a "${FORMAT_KEY}" key that is not a kvgit format record; this is not a kvgit store. Nothing was written.`, { backend: kv.description });
  }
  if (record?.format !== "kvgit" || typeof record.version !== "number" || (record.codec !== undefined && (typeof record.codec !== "string" || record.codec === ""))) {
    throw new FormatError(`backend ${kv.description} has a "${FORMAT_KEY}" key that is not a kvgit format record; this is not a kvgit store. Nothing was written.`, { backend: kv.description });
  }
  if (record.version < FORMAT_VERSION) {
    throw new FormatError(
      `store at ${kv.description} uses kvgit format ${record.version}, written by a pre-release of kvgit that this version (format ${FORMAT_VERSION}) cannot read; ` +
        `read it with the kvgit that wrote it and copy the values into a new store. Nothing was written.`,
      { backend: kv.description, version: record.version, supported: FORMAT_VERSION },
    );
  }
  if (record.version > FORMAT_VERSION) {
    throw new FormatError(
      `store at ${kv.description} uses kvgit format ${record.version}, newer than this library's ${FORMAT_VERSION}; upgrade kvgit to open it. Nothing was written.`,
      { backend: kv.description, version: record.version, supported: FORMAT_VERSION },
    );
  }
  return record.codec as string | undefined;
}
