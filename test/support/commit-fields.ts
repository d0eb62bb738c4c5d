import { decodeCommit, type CommitFields } from "../../src/versioned/commit-object.ts";

/** The fields of the commit `bytes` encode, as plain data (the decoded commit's `toJSON`). */
export function decodedFields(id: string, bytes: Uint8Array): CommitFields & { id: string } {
  return (decodeCommit(id, bytes) as unknown as { toJSON(): CommitFields & { id: string } }).toJSON();
}
