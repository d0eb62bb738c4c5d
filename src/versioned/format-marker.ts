import type { KVStore } from "../kv/kv-store.ts";
import { FORMAT_KEY, KVGIT_PREFIXES } from "../kv/key-space.ts";
import { FormatError } from "../errors.ts";
import { backendCall } from "../objects/object-store.ts";

export { FORMAT_KEY } from "../kv/key-space.ts";
/**
 * 3: commits may carry a change record (docs/format.md). 2: commits carry their
 * first-parent depth, line jumps and change summary; still read, and its record upgraded
 * to 3 before the first commit is written (`upgradeFormat`; its commits stay as they are:
 * format 3 reads them). Reading never upgrades.
 */
export const FORMAT_VERSION = 3;
/** The oldest format this library reads. */
const OLDEST_READABLE_VERSION = 2;

const encoder = new TextEncoder();

/**
 * The format record. `codec` names the codec the store's values are written with (one per
 * store: a reader with another codec would misread every value); records written before
 * it existed have none, and gain it at the first writable open.
 */
export function formatRecord(codec?: string, version = FORMAT_VERSION): Uint8Array {
  return encoder.encode(JSON.stringify(codec === undefined ? { format: "kvgit", version } : { format: "kvgit", version, codec }));
}

/**
 * Checks that `kv` holds a kvgit store we can read, or is empty (then, unless `readOnly`,
 * claims it by writing the format record with CAS). Foreign, corrupt or newer data is a
 * FormatError and nothing is written. `codec` is the codec name a new record holds;
 * `upgradeCodec` the one to add to an existing record that names none (only a codec the
 * caller asked for explicitly: guessing would stamp a wrong one on the store for good).
 * Neither is written when `readOnly`. Returns the record's codec name and format version
 * afterwards.
 */
export async function ensureFormat(kv: KVStore, readOnly = false, codec?: string, upgradeCodec?: string): Promise<FormatRecord> {
  // The version is kept: raising it is `upgradeFormat`'s business. A rival recording
  // another codec first wins, and its record is the one returned.
  const existing = await settleRecord(kv, (r) => (!readOnly && upgradeCodec !== undefined && r.codec === undefined ? { codec: upgradeCodec, version: r.version } : undefined));
  if (existing) return existing;
  for await (const key of kv.keys()) {
    const ours = KVGIT_PREFIXES.some((p) => key.startsWith(p));
    throw new FormatError(
      `backend ${kv.description} holds data that is not a kvgit store (found key ${JSON.stringify(key)}${ours ? " but no format record" : ""}); ` +
        `open an empty backend or a kvgit store, or use another prefix/namespace. Nothing was written.`,
      { backend: kv.description, key },
    );
  }
  if (readOnly) return { codec: undefined, version: FORMAT_VERSION };
  const claimed = await backendCall(kv, "cas", () => kv.cas(FORMAT_KEY, formatRecord(codec), undefined));
  if (claimed) return { codec, version: FORMAT_VERSION };
  const now = await backendCall(kv, "get", () => kv.get(FORMAT_KEY));
  if (!now) throw new FormatError(`backend ${kv.description} changed while kvgit was initialising it; try again`, {});
  return checkRecord(kv, now);
}

/**
 * Raises the format record of an older readable format to this one, keeping its codec:
 * called before this library writes its first commit into such a store, whose commits an
 * older library could not read. CAS from the record read; a rival's change is re-read.
 */
export async function upgradeFormat(kv: KVStore): Promise<void> {
  const record = await settleRecord(kv, (r) => (r.version === FORMAT_VERSION ? undefined : { codec: r.codec, version: FORMAT_VERSION }));
  if (!record) throw new FormatError(`the format record of ${kv.description} disappeared; the store was removed while open`, { backend: kv.description });
}

interface FormatRecord {
  version: number;
  codec: string | undefined;
}

/**
 * Reads and checks the format record and, while `change` asks for a different one, writes
 * that by CAS from the bytes read (a rival's write makes it read again). Returns the
 * record as it then stands, or undefined when there is none.
 */
async function settleRecord(kv: KVStore, change: (record: FormatRecord) => FormatRecord | undefined): Promise<FormatRecord | undefined> {
  for (;;) {
    const existing = await backendCall(kv, "get", () => kv.get(FORMAT_KEY));
    if (!existing) return undefined;
    const record = checkRecord(kv, existing);
    const next = change(record);
    if (!next) return record;
    if (await backendCall(kv, "cas", () => kv.cas(FORMAT_KEY, formatRecord(next.codec, next.version), existing))) return next;
  }
}

/** Checks a format record; returns its version and the codec name it holds, if any. */
function checkRecord(kv: KVStore, bytes: Uint8Array): FormatRecord {
  let record: { format?: unknown; version?: unknown; codec?: unknown };
  try {
    record = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new FormatError(`backend ${kv.description} has a "${FORMAT_KEY}" key that is not a kvgit format record; this is not a kvgit store. Nothing was written.`, { backend: kv.description });
  }
  if (record?.format !== "kvgit" || typeof record.version !== "number" || (record.codec !== undefined && (typeof record.codec !== "string" || record.codec === ""))) {
    throw new FormatError(`backend ${kv.description} has a "${FORMAT_KEY}" key that is not a kvgit format record; this is not a kvgit store. Nothing was written.`, { backend: kv.description });
  }
  if (record.version < OLDEST_READABLE_VERSION) {
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
  return { version: record.version, codec: record.codec as string | undefined };
}
